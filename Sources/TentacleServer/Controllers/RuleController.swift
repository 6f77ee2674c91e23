import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// City rules (`/v1/rules`): operators and publishers write them, approvers put them to work, and
/// everyone who reads telemetry sees them, their events and their webhook deliveries.
struct RuleController {
    let env: ServerEnvironment

    /// A rule's condition as sent: the window, function, comparison and silence have defaults.
    struct ConditionInput: Decodable {
        var metric: String
        var windowSeconds: Int?
        var function: Rule.Function?
        var comparison: Rule.Comparison?
        var threshold: Double
        var forSeconds: Int
        var clearThreshold: Double
        var clearForSeconds: Int
        var silenceSeconds: Int?
        var area: Rule.Area

        func rule(id: String) -> Rule {
            Rule(
                id: id, metric: metric, windowSeconds: windowSeconds ?? 60, function: function ?? .mean, comparison: comparison ?? .above,
                threshold: threshold, forSeconds: forSeconds, clearThreshold: clearThreshold, clearForSeconds: clearForSeconds,
                silenceSeconds: silenceSeconds ?? 900, area: area)
        }
    }

    struct RuleInput: Decodable {
        var id: String?
        var name: String
        var condition: ConditionInput
        var actions: CityRule.Actions?

        static let fields: Set<String> = ["id", "name", "condition", "actions"]
    }

    var workflow: RuleWorkflow { env.ruleWorkflow }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("rules") { _, context in
            let p = try context.user(.readTelemetry)
            return try JSONBody.response(["items": try await workflow.rules(as: p)])
        }
        group.post("rules") { request, context in
            let p = try context.user(.manageRules)
            let input = try await JSONBody.decode(RuleInput.self, from: request, allowedFields: RuleInput.fields, limit: env.configuration.maxBodyBytes)
            guard let id = input.id else { throw ValidationError(field: "id", "is required") }
            let rule = try await workflow.create(id: id, name: input.name, condition: input.condition.rule(id: id), actions: input.actions ?? .init(), by: p)
            return try JSONBody.response(rule, status: .created, headers: [.location: "/v1/rules/\(rule.id)"])
        }
        group.get("rules/:id") { _, context in
            let p = try context.user(.readTelemetry)
            return try JSONBody.response(try await workflow.rule(try context.parameters.require("id"), as: p))
        }
        group.put("rules/:id") { request, context in
            let p = try context.user(.manageRules)
            let old = try await workflow.rule(try context.parameters.require("id"), as: p)
            let input = try await JSONBody.decode(RuleInput.self, from: request, allowedFields: RuleInput.fields, limit: env.configuration.maxBodyBytes)
            if let id = input.id, id != old.id { throw ValidationError(field: "id", "a rule's id cannot change") }
            return try JSONBody.response(
                try await workflow.edit(old, name: input.name, condition: input.condition.rule(id: old.id), actions: input.actions ?? .init(), by: p))
        }
        group.delete("rules/:id") { _, context in
            let p = try context.user(.manageRules)
            try await workflow.delete(try await workflow.rule(try context.parameters.require("id"), as: p), by: p)
            return Response(status: .noContent)
        }
        group.post("rules/:id/approve") { _, context in
            let p = try context.user(.approveContent)
            return try JSONBody.response(try await workflow.approve(try await workflow.rule(try context.parameters.require("id"), as: p), by: p))
        }
        group.get("rules/:id/events") { request, context in
            let p = try context.user(.readTelemetry)
            let rule = try await workflow.rule(try context.parameters.require("id"), as: p)
            let limit = try QueryParameters(request: request).int("limit", in: 1...1000) ?? 100
            return try JSONBody.response(["items": try await env.store.ruleEvents(rule: rule.id, limit: limit)])
        }
        group.get("rules/:id/deliveries") { request, context in
            let p = try context.user(.readTelemetry)
            let rule = try await workflow.rule(try context.parameters.require("id"), as: p)
            let limit = try QueryParameters(request: request).int("limit", in: 1...1000) ?? 100
            return try JSONBody.response(["items": try await env.store.webhookDeliveries(rule: rule.id, limit: limit)])
        }
    }
}
