import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Districts (admin-managed, they define user scopes) and display groups.
struct DistrictController {
    let env: ServerEnvironment

    struct DistrictChange: Decodable {
        var name: String?
        var boundary: GeoGeometry?
    }

    struct GroupChange: Decodable {
        var name: String?
        var description: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("districts") { _, context in
            let p = try context.user(.readRegistry)
            let visible = try await env.store.districts().filter { p.scope.contains($0.code) }
            return try JSONBody.response(["items": visible])
        }
        group.post("districts", use: createDistrict)
        group.get("districts/:code") { _, context in try JSONBody.response(try await visibleDistrict(context)) }
        group.patch("districts/:code", use: updateDistrict)
        group.delete("districts/:code") { _, context in
            let p = try context.user(.writeDistricts)
            let d = try await visibleDistrict(context)
            try await env.store.deleteDistrict(code: d.code, audit: env.audit(p, "district.delete", "district", d.code, "deleted district '\(d.name)'"))
            return Response(status: .noContent)
        }

        group.get("districts/:code/approval") { _, context in
            let d = try await visibleDistrict(context)
            return try JSONBody.response(["required": try await env.store.approvalRequired(district: d.code)])
        }
        group.put("districts/:code/approval") { request, context in
            let p = try context.user(.writeDistricts)
            let code = try context.parameters.require("code")
            struct Setting: Decodable { var required: Bool }
            let setting = try await JSONBody.decode(Setting.self, from: request, allowedFields: ["required"], limit: env.configuration.maxBodyBytes)
            try await env.store.setApprovalRequired(
                setting.required, district: code,
                audit: env.audit(p, "district.approval", "district", code, setting.required ? "approval required" : "approval not required"))
            return try JSONBody.response(["required": setting.required])
        }

        group.get("groups") { _, context in
            _ = try context.user(.readRegistry)
            return try JSONBody.response(["items": try await env.store.groups()])
        }
        group.post("groups", use: createGroup)
        group.get("groups/:code") { _, context in
            _ = try context.user(.readRegistry)
            return try JSONBody.response(try await findGroup(context))
        }
        group.patch("groups/:code", use: updateGroup)
        group.delete("groups/:code") { _, context in
            let p = try context.user(.writeDisplays)
            let g = try await findGroup(context)
            try await env.store.deleteGroup(code: g.code, audit: env.audit(p, "group.delete", "group", g.code, "deleted group '\(g.name)'"))
            return Response(status: .noContent)
        }
    }

    func visibleDistrict(_ context: AppRequestContext) async throws -> District {
        let p = try context.user(.readRegistry)
        let code = try context.parameters.require("code")
        guard p.scope.contains(code), let d = try await env.store.district(code: code) else { throw APIError.notFound("district", code) }
        return d
    }

    func findGroup(_ context: AppRequestContext) async throws -> DisplayGroup {
        let code = try context.parameters.require("code")
        guard let g = try await env.store.group(code: code) else { throw APIError.notFound("group", code) }
        return g
    }

    @Sendable func createDistrict(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDistricts)
        let d = try await JSONBody.decode(District.self, from: request, allowedFields: District.fieldNames, limit: env.configuration.maxBodyBytes)
        try ValidationError.check(d.issues())
        try await env.store.createDistrict(d, audit: env.audit(p, "district.create", "district", d.code, "created district '\(d.name)'"))
        return try JSONBody.response(d, status: .created, headers: [.location: "/v1/districts/\(d.code)"])
    }

    @Sendable func updateDistrict(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDistricts)
        var d = try await visibleDistrict(context)
        let change = try await JSONBody.decode(DistrictChange.self, from: request, allowedFields: ["name", "boundary"], limit: env.configuration.maxBodyBytes)
        if let name = change.name { d.name = name }
        if let boundary = change.boundary { d.boundary = boundary }
        try ValidationError.check(d.issues())
        try await env.store.updateDistrict(d, audit: env.audit(p, "district.update", "district", d.code, "changed district '\(d.name)'"))
        return try JSONBody.response(d)
    }

    @Sendable func createGroup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        let g = try await JSONBody.decode(DisplayGroup.self, from: request, allowedFields: DisplayGroup.fieldNames, limit: env.configuration.maxBodyBytes)
        try ValidationError.check(g.issues())
        try await env.store.createGroup(g, audit: env.audit(p, "group.create", "group", g.code, "created group '\(g.name)'"))
        return try JSONBody.response(g, status: .created, headers: [.location: "/v1/groups/\(g.code)"])
    }

    @Sendable func updateGroup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        var g = try await findGroup(context)
        let change = try await JSONBody.decode(GroupChange.self, from: request, allowedFields: ["name", "description"], limit: env.configuration.maxBodyBytes)
        if let name = change.name { g.name = name }
        if let description = change.description { g.description = description }
        try ValidationError.check(g.issues())
        try await env.store.updateGroup(g, audit: env.audit(p, "group.update", "group", g.code, "changed group '\(g.name)'"))
        return try JSONBody.response(g)
    }
}
