import TentacleStore
import Testing

@Suite struct PostgresLocationTests {
    @Test func aFullURLIsReadPartByPart() throws {
        let l = try PostgresLocation(url: "postgres://city%40ops:p%2Fss@db.example:6543/tentacle?sslmode=require")
        #expect(l.host == "db.example" && l.port == 6543 && l.user == "city@ops" && l.password == "p/ss" && l.database == "tentacle" && l.tls == .require)
        #expect(l.description == "postgres://city@ops@db.example:6543/tentacle", "no password in messages")
        let short = try PostgresLocation(url: "postgresql://tentacle@127.0.0.1/city")
        #expect(short.port == 5432 && short.password == nil && short.tls == .prefer)
        #expect(try PostgresLocation(url: "postgres://u@h/d?sslmode=disable").tls == .disable)
        #expect(short.with(database: "other").database == "other")
    }

    @Test(arguments: [
        ("mysql://u@h/d", "scheme"),
        ("postgres://h/d", "no user"),
        ("postgres://u@/d", "no host"),
        ("postgres://u@h", "no database"),
        ("postgres://u@h/", "no database"),
        ("postgres://u@h/a/b", "no database"),
        ("postgres://u@h:0/d", "port"),
        ("postgres://u@h/d?sslmode=sometimes", "sslmode"),
        ("postgres://u@h/d?timeout=3", "unknown parameter 'timeout'"),
        ("postgres://u:secret@h/d?sslmode=x", "sslmode"),
    ])
    func badURLsAreRefusedNamingWhatIsWrong(url: String, expected: String) {
        do {
            _ = try PostgresLocation(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.message.contains(expected), "\(url): \(error.message)")
            #expect(error.message.hasPrefix("--database: "))
            #expect(!error.message.contains("secret"), "the password is never echoed")
        }
    }
}
