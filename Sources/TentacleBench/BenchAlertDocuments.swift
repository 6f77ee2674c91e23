/// The CAP 1.2 messages the alert benchmarks and the multi-node tests post: a Severe alert whose
/// polygon covers the whole bench city (`ChannelBenchSeed`), and its cancel.
public enum BenchAlertDocuments {
    public static let sender = "bench@tentacle.example"

    public static func alert(_ id: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(id)</identifier><sender>\(sender)</sender><sent>2026-01-01T00:00:00+00:00</sent>
          <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
          <info><language>en-US</language><category>Safety</category><event>Drill</event><urgency>Immediate</urgency>
            <severity>Severe</severity><certainty>Observed</certainty><headline>Benchmark alert</headline>
            <area><areaDesc>Everywhere</areaDesc><polygon>31.1,121.3 31.4,121.3 31.4,121.6 31.1,121.6 31.1,121.3</polygon></area></info>
        </alert>
        """
    }

    public static func cancel(_ id: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(id)-cancel</identifier><sender>\(sender)</sender><sent>2026-01-01T00:01:00+00:00</sent>
          <status>Actual</status><msgType>Cancel</msgType><scope>Public</scope>
          <references>\(sender),\(id),2026-01-01T00:00:00+00:00</references>
        </alert>
        """
    }
}
