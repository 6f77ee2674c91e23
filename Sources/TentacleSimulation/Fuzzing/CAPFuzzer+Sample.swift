extension CAPFuzzer {
    /// A CAP 1.2 Update touching every part of the parser (two languages, polygon, circle, geocode,
    /// parameters, resource, references), for fuzzing when no sample files are given.
    public static let sampleDocument = Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>tentacle-flood-0002</identifier>
          <sender>alerts@city.example</sender>
          <sent>2026-05-04T10:15:00+02:00</sent>
          <status>Actual</status>
          <msgType>Update</msgType>
          <scope>Public</scope>
          <code>demo</code>
          <references>alerts@city.example,tentacle-flood-0001,2026-05-04T09:00:00+02:00</references>
          <info>
            <language>en-US</language>
            <category>Met</category>
            <category>Safety</category>
            <event>River flood</event>
            <responseType>Avoid</responseType>
            <urgency>Immediate</urgency>
            <severity>Severe</severity>
            <certainty>Observed</certainty>
            <expires>2026-05-04T22:00:00+02:00</expires>
            <headline>Flood on the riverside streets</headline>
            <description>The river has left its banks between the two bridges.</description>
            <instruction>Keep away from the quays; use the upper town routes.</instruction>
            <parameter><valueName>level_m</valueName><value>4.2</value></parameter>
            <resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><size>1024</size></resource>
            <area>
              <areaDesc>Riverside</areaDesc>
              <polygon>48.20,16.36 48.22,16.36 48.22,16.40 48.20,16.40 48.20,16.36</polygon>
              <circle>48.21,16.38 0.8</circle>
              <geocode><valueName>district</valueName><value>riverside</value></geocode>
            </area>
          </info>
          <info>
            <language>de-AT</language>
            <category>Met</category>
            <event>Hochwasser</event>
            <urgency>Immediate</urgency>
            <severity>Severe</severity>
            <certainty>Observed</certainty>
            <headline>Hochwasser am Flussufer</headline>
            <area>
              <areaDesc>Flussufer</areaDesc>
              <polygon>48.20,16.36 48.22,16.36 48.22,16.40 48.20,16.40 48.20,16.36</polygon>
            </area>
          </info>
        </alert>
        """.utf8)
}
