extension CAPFuzzer {
    /// An Atom feed and an RSS channel of the kinds agencies publish, as seeds for feed fuzzing.
    public static let sampleFeeds: [[UInt8]] = [
        Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
              <id>urn:oid:2.49.0.1.840.0</id><title>Current warnings</title><updated>2026-01-01T00:00:00Z</updated>
              <author><name>Weather service</name></author>
              <entry>
                <id>urn:oid:2.49.0.1.840.0.2026.1</id><title>Flood Warning issued January 1</title>
                <updated>2026-01-01T00:00:00Z</updated>
                <link rel="alternate" type="text/html" href="https://alerts.example.gov/w/1"/>
                <link rel="related" type="application/cap+xml" href="https://alerts.example.gov/cap/1.xml"/>
                <summary>Flooding along the river is expected.</summary>
                <cap:event>Flood Warning</cap:event><cap:status>Actual</cap:status><cap:severity>Severe</cap:severity>
              </entry>
              <entry>
                <id>urn:oid:2.49.0.1.840.0.2026.2</id><title>Wind Advisory</title><updated>2026-01-01T00:05:00Z</updated>
                <link href="/cap/2.xml" type="application/cap+xml"/>
                <content type="html"><![CDATA[<p>Gusts to 90 km/h.</p>]]></content>
              </entry>
            </feed>
            """.utf8),
        Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
              <channel>
                <title>Civil protection alerts</title><link>https://cp.example.org/</link><description>CAP alerts</description>
                <item>
                  <title>Heat wave</title><link>https://cp.example.org/cap/heat.xml</link>
                  <guid isPermaLink="false">cp-2026-0001</guid><pubDate>Thu, 01 Jan 2026 00:00:00 GMT</pubDate>
                  <enclosure url="https://cp.example.org/cap/heat.cap" type="application/cap+xml" length="2048"/>
                </item>
                <item><title>Test message</title><guid>https://cp.example.org/cap/test.xml</guid></item>
              </channel>
            </rss>
            """.utf8),
    ]
}
