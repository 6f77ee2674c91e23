import Foundation
import TentacleCore
import TentacleStore

/// City rules from draft to work: a rule is checked against what exists and the author's
/// districts, waits for a second person with the approver role, and acts once approved; any
/// change sends it back to waiting. The rule service reads the rules again after each change.
struct RuleWorkflow: Sendable {
    let repository: any RuleRepository & ContentRepository & DistrictRepository
    let service: RuleService
    let clock: @Sendable () -> Date

    static let radii = 1.0...100_000.0
    static let priorities = 0...1000

    /// Scoped users see and change only rules watching nothing but their own districts.
    static func visible(_ rule: CityRule, to p: Principal) -> Bool {
        switch (p.scope, rule.condition.area) {
        case (.all, _): true
        case (.only(let allowed), .districts(let codes)): Set(codes).isSubset(of: allowed)
        case (.only, .circle): false
        }
    }

    func rules(as p: Principal) async throws -> [CityRule] {
        try await repository.rules().filter { Self.visible($0, to: p) }
    }

    /// The rule if the caller may see it; `notFound` otherwise.
    func rule(_ id: String, as p: Principal) async throws -> CityRule {
        guard let rule = try await repository.rule(id: id), Self.visible(rule, to: p) else { throw DomainError(.notFound, "rule '\(id)' not found") }
        return rule
    }

    /// Stores a new rule, waiting for approval.
    func create(id: String, name: String, condition: Rule, actions: CityRule.Actions, by p: Principal) async throws -> CityRule {
        var condition = condition
        condition.id = id
        let rule = CityRule(id: id, name: name, condition: condition, actions: actions, createdBy: p.userID, createdAt: clock())
        try await check(rule, by: p)
        try await repository.createRule(rule, audit: Self.audit(p, "rule.create", id, "created rule '\(name)' on \(condition.metric); waiting for approval"))
        try await service.reload()
        return rule
    }

    /// Replaces what the rule watches and does; it stops acting (and lets go of what it showed)
    /// until approved again.
    func edit(_ old: CityRule, name: String, condition: Rule, actions: CityRule.Actions, by p: Principal) async throws -> CityRule {
        var condition = condition
        condition.id = old.id
        let rule = CityRule(id: old.id, name: name, condition: condition, actions: actions, createdBy: p.userID, createdAt: clock())
        try await check(rule, by: p)
        try await repository.updateRule(rule, audit: Self.audit(p, "rule.edit", rule.id, "changed rule '\(name)'; waiting for approval"))
        try await service.reload()
        return rule
    }

    /// Puts a rule to work. Its author never approves it; the store applies it only if nobody
    /// changed it since it was read.
    func approve(_ rule: CityRule, by p: Principal) async throws -> CityRule {
        guard p.can(.approveContent) else { throw DomainError(.forbidden, "approving rules needs the approver role") }
        guard rule.createdBy != p.userID else { throw DomainError(.forbidden, "a rule's author cannot approve it; a second person must") }
        guard rule.state == .pending else { throw DomainError(.conflict, "rule '\(rule.id)' is already approved") }
        let now = clock()
        try await repository.approveRule(
            id: rule.id, expectedCreatedAt: rule.createdAt, by: p.userID, at: now,
            audit: Self.audit(p, "rule.approve", rule.id, "approved rule '\(rule.name)'; it acts from now on"))
        try await service.reload()
        var approved = rule
        approved.state = .approved
        approved.approvedBy = p.userID
        approved.approvedAt = now
        return approved
    }

    func delete(_ rule: CityRule, by p: Principal) async throws {
        try await repository.deleteRule(id: rule.id, audit: Self.audit(p, "rule.delete", rule.id, "deleted rule '\(rule.name)'"))
        try await service.reload()
    }

    private func check(_ rule: CityRule, by p: Principal) async throws {
        var issues = rule.condition.issues(field: "condition")
        if !Identifier.isValid(rule.id) { issues.append(FieldIssue(field: "id", message: "'\(rule.id.prefix(80))' is not a valid id: \(Identifier.rule)")) }
        let name = rule.name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name.count > 200 { issues.append(FieldIssue(field: "name", message: "must be 1-200 characters")) }
        if case .districts(let codes) = rule.condition.area {
            for (i, code) in codes.enumerated() where Identifier.isValid(code, maxLength: 32) {
                if try await repository.district(code: code) == nil {
                    issues.append(FieldIssue(field: "condition.area.districts[\(i)]", message: "unknown district '\(code)'"))
                }
            }
        }
        let actions = rule.actions
        if let layout = actions.layoutId, try await repository.layout(id: layout) == nil {
            issues.append(FieldIssue(field: "actions.layoutId", message: "unknown layout '\(layout.prefix(80))'"))
        }
        if let radius = actions.radiusMeters, !(radius.isFinite && Self.radii.contains(radius)) {
            issues.append(FieldIssue(field: "actions.radiusMeters", message: "must be 1 to 100000 metres"))
        }
        if !Self.priorities.contains(actions.priority) { issues.append(FieldIssue(field: "actions.priority", message: "must be 0 to 1000")) }
        if let hook = actions.webhook {
            let url = URL(string: hook)
            if hook.count > 2000 || url?.host == nil || !["http", "https"].contains(url?.scheme?.lowercased() ?? "") {
                issues.append(FieldIssue(field: "actions.webhook", message: "must be an http or https URL"))
            }
        }
        if actions.layoutId == nil && actions.webhook == nil {
            issues.append(FieldIssue(field: "actions", message: "give a layoutId to show, a webhook to call, or both"))
        }
        try ValidationError.check(issues)
        if !Self.visible(rule, to: p) {
            throw DomainError(.forbidden, "you may only watch your own districts (condition.area.districts)", field: "condition.area")
        }
    }

    private static func audit(_ p: Principal, _ action: String, _ id: String, _ summary: String) -> AuditEvent {
        AuditEvent(actor: p.username, action: action, objectType: "rule", objectId: id, summary: summary)
    }
}
