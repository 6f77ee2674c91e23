import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Rule repository contract")
struct RuleRepositoryTests {
    static let t0: Int64 = 1_767_225_600_000

    static func rule(_ id: String, createdAt: Date = StoreHarness.time) -> CityRule {
        CityRule(
            id: id, name: "PM2.5 high in \(id)",
            condition: Rule(id: id, metric: "pm25", threshold: 75, forSeconds: 600, clearThreshold: 55, clearForSeconds: 600, area: .districts(["north"])),
            actions: CityRule.Actions(layoutId: "smog-warning", radiusMeters: 500, webhook: "https://example.org/hook"), createdBy: "usr-author",
            createdAt: createdAt)
    }

    static func delivery(_ rule: String, _ payload: String, due: Int64 = t0) -> WebhookDelivery {
        WebhookDelivery(rule: rule, url: "https://example.org/hook", payload: payload, createdAt: t0, nextAttemptAt: due)
    }

    static func event(_ rule: String, _ kind: RuleEvent.Kind, at time: Int64, source: String, sources: [String]) -> RuleEventRecord {
        RuleEventRecord(rule: rule, kind: kind.rawValue, time: time, source: source, sources: sources, silent: false)
    }

    @Test(arguments: Backend.all)
    func createReadUpdateDelete(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let b = Self.rule("pm25-b")
            var a = Self.rule("pm25-a")
            a.condition.area = .circle(GeoCircle(lat: 52.5, lon: 13.4, radiusMeters: 800))
            a.actions = CityRule.Actions()
            for r in [b, a] { try await s.createRule(r, audit: audit("rule.create", "rule", r.id)) }
            #expect(try await s.rules() == [a, b])
            #expect(try await s.rule(id: b.id) == b)
            #expect(try await s.rule(id: "none") == nil)

            let taken = await #expect(throws: StoreError.self) { try await s.createRule(a, audit: audit("rule.create", "rule", a.id)) }
            #expect(taken?.code == .conflict)

            var changed = a
            changed.name = "Changed"
            changed.condition.threshold = 80
            changed.actions = CityRule.Actions(layoutId: "other", priority: 100)
            changed.createdAt = StoreHarness.time.addingTimeInterval(60)
            changed.state = .approved
            changed.approvedBy = "usr-approver"
            changed.approvedAt = StoreHarness.time.addingTimeInterval(30)
            try await s.updateRule(changed, audit: audit("rule.update", "rule", a.id))
            #expect(try await s.rule(id: a.id) == changed)

            try await s.deleteRule(id: a.id, audit: audit("rule.delete", "rule", a.id))
            #expect(try await s.rules() == [b])
            let missingUpdate = await #expect(throws: StoreError.self) { try await s.updateRule(changed, audit: audit("rule.update", "rule", a.id)) }
            #expect(missingUpdate?.code == .notFound)
            let missingDelete = await #expect(throws: StoreError.self) { try await s.deleteRule(id: a.id, audit: audit("rule.delete", "rule", a.id)) }
            #expect(missingDelete?.code == .notFound)

            // One audit row per change that happened, none for the refused ones.
            let rows = try await s.auditEntries(AuditQuery(objectType: "rule", objectId: a.id))
            #expect(rows.map(\.action) == ["rule.delete", "rule.update", "rule.create"])
        }
    }

    @Test(arguments: Backend.all)
    func approvalNeedsThePendingRuleAsItWasRead(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let r = Self.rule("pm25-a")
            try await s.createRule(r, audit: audit("rule.create", "rule", r.id))
            let approvedAt = StoreHarness.time.addingTimeInterval(120)

            // Read before an edit: the edit gave the rule a new creation time.
            var edited = r
            edited.createdAt = StoreHarness.time.addingTimeInterval(60)
            try await s.updateRule(edited, audit: audit("rule.update", "rule", r.id))
            let stale = await #expect(throws: StoreError.self) {
                try await s.approveRule(id: r.id, expectedCreatedAt: r.createdAt, by: "usr-approver", at: approvedAt, audit: audit("rule.approve", "rule", r.id))
            }
            #expect(stale?.code == .conflict)
            #expect(try await s.rule(id: r.id)?.state == .pending)

            try await s.approveRule(id: r.id, expectedCreatedAt: edited.createdAt, by: "usr-approver", at: approvedAt, audit: audit("rule.approve", "rule", r.id))
            var approved = edited
            approved.state = .approved
            approved.approvedBy = "usr-approver"
            approved.approvedAt = approvedAt
            #expect(try await s.rule(id: r.id) == approved)

            let twice = await #expect(throws: StoreError.self) {
                try await s.approveRule(id: r.id, expectedCreatedAt: edited.createdAt, by: "usr-other", at: approvedAt, audit: audit("rule.approve", "rule", r.id))
            }
            #expect(twice?.code == .conflict)
            let missing = await #expect(throws: StoreError.self) {
                try await s.approveRule(id: "none", expectedCreatedAt: r.createdAt, by: "usr-approver", at: approvedAt, audit: audit("rule.approve", "rule", "none"))
            }
            #expect(missing?.code == .notFound)
            #expect(try await s.rule(id: r.id) == approved)

            let rows = try await s.auditEntries(AuditQuery(objectType: "rule", objectId: r.id))
            #expect(rows.map(\.action) == ["rule.approve", "rule.update", "rule.create"])
        }
    }

    @Test(arguments: Backend.all)
    func eventsKeepTheRaisedSourcesAcrossReopening(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let id = "pm25-a"
            try await h.store.createRule(Self.rule(id), audit: audit("rule.create", "rule", id))
            let raised = Self.event(id, .raised, at: Self.t0, source: "n-1", sources: ["n-1"])
            let joined = Self.event(id, .sourcesChanged, at: Self.t0 + 60_000, source: "n-2", sources: ["n-1", "n-2"])
            try await h.store.recordRuleEvent(raised, webhook: Self.delivery(id, "raised"))
            try await h.store.recordRuleEvent(joined, webhook: nil)

            var rule = try #require(try await h.store.rule(id: id))
            // Raised at the first source's time; another joining does not move it.
            #expect(rule.raisedSources == ["n-1", "n-2"] && rule.raisedAt == Self.t0)
            try await h.reopen()
            #expect(try await h.store.rule(id: id) == rule)
            #expect(try await h.store.ruleEvents(rule: id, limit: 10) == [joined, raised])
            #expect(try await h.store.ruleEvents(rule: id, limit: 1) == [joined])

            let cleared = RuleEventRecord(rule: id, kind: RuleEvent.Kind.cleared.rawValue, time: Self.t0 + 120_000, source: "n-2", sources: [], silent: true)
            try await h.store.recordRuleEvent(cleared, webhook: Self.delivery(id, "cleared"))
            rule = try #require(try await h.store.rule(id: id))
            #expect(rule.raisedSources.isEmpty && rule.raisedAt == nil)
            #expect(try await h.store.ruleEvents(rule: id, limit: 10) == [cleared, joined, raised])
            #expect(try await h.store.webhookDeliveries(rule: id, limit: 10).map(\.payload) == ["cleared", "raised"])

            // Raised again later: a new raise time.
            try await h.store.recordRuleEvent(Self.event(id, .raised, at: Self.t0 + 180_000, source: "n-3", sources: ["n-3"]), webhook: nil)
            #expect(try await h.store.rule(id: id)?.raisedAt == Self.t0 + 180_000)

            // Deleting the rule takes its events with it; its calls owed are still made.
            try await h.store.deleteRule(id: id, audit: audit("rule.delete", "rule", id))
            #expect(try await h.store.ruleEvents(rule: id, limit: 10).isEmpty)
            #expect(try await h.store.webhookDeliveries(rule: id, limit: 10).count == 2)
            #expect(try await h.store.ruleEvents(rule: "none", limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func aRulesWebhooksGoOutInOrderEachAfterTheOneBefore(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let (a, b) = ("rule-a", "rule-b")
            for (rule, payload, due) in [(a, "a1", Self.t0), (b, "b1", Self.t0 + 50), (a, "a2", Self.t0), (b, "b2", Self.t0), (a, "a3", Self.t0)] {
                let event = Self.event(rule, .raised, at: Self.t0, source: "n-1", sources: ["n-1"])
                try await s.recordRuleEvent(event, webhook: Self.delivery(rule, payload, due: due))
            }
            let owed = try await s.webhookDeliveries(rule: a, limit: 10)
            #expect(owed.map(\.payload) == ["a3", "a2", "a1"])
            #expect(owed.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.rule == a && $0.lastStatus == nil && $0.deliveredAt == nil })
            #expect(Set(owed.map(\.id)).count == 3 && owed.map(\.id) == owed.map(\.id).sorted(by: >))
            #expect(try await s.webhookDeliveries(rule: a, limit: 1).map(\.payload) == ["a3"])
            #expect(try await s.nextWebhookAttempt() == Self.t0)

            // b's first call is not due yet, so b2 waits though it is due itself.
            #expect(try await s.dueWebhooks(at: Self.t0, limit: 10).map(\.payload) == ["a1"])
            #expect(try await s.dueWebhooks(at: Self.t0 + 50, limit: 10).map(\.payload) == ["a1", "b1"])
            #expect(try await s.dueWebhooks(at: Self.t0 + 50, limit: 1).map(\.payload) == ["a1"])

            // a1 fails and is retried later: a2 stays behind it, b is not held up.
            var a1 = try #require(owed.last)
            a1.attempts = 1
            a1.nextAttemptAt = Self.t0 + 1_000
            a1.lastStatus = 503
            a1.lastError = "HTTP 503"
            try await s.saveWebhookAttempt(a1)
            #expect(try await s.dueWebhooks(at: Self.t0 + 100, limit: 10).map(\.payload) == ["b1"])
            let b1 = try #require(try await s.dueWebhooks(at: Self.t0 + 100, limit: 10).first)
            #expect(try await s.dueWebhooks(at: Self.t0 + 1_000, limit: 10) == [b1, a1])

            var delivered = b1
            delivered.state = .delivered
            delivered.attempts = 1
            delivered.deliveredAt = Self.t0 + 100
            try await s.saveWebhookAttempt(delivered)
            #expect(try await s.dueWebhooks(at: Self.t0 + 100, limit: 10).map(\.payload) == ["b2"])
            #expect(try await s.webhookDeliveries(rule: b, limit: 10).last == delivered)

            // Given up on, a call lets the next one go.
            var failed = a1
            failed.state = .failed
            failed.attempts = 8
            try await s.saveWebhookAttempt(failed)
            #expect(try await s.dueWebhooks(at: Self.t0 + 100, limit: 10).map(\.payload) == ["a2", "b2"])
            #expect(try await s.webhookDeliveries(rule: a, limit: 10).last == failed)

            for d in try await s.dueWebhooks(at: .max, limit: 10) {
                var done = d
                done.state = .delivered
                try await s.saveWebhookAttempt(done)
            }
            #expect(try await s.dueWebhooks(at: .max, limit: 10).map(\.payload) == ["a3"])
            #expect(try await s.nextWebhookAttempt() == Self.t0)
            var a3 = try #require(try await s.dueWebhooks(at: .max, limit: 10).first)
            a3.state = .delivered
            try await s.saveWebhookAttempt(a3)
            #expect(try await s.dueWebhooks(at: .max, limit: 10).isEmpty)
            #expect(try await s.nextWebhookAttempt() == nil)
        }
    }
}
