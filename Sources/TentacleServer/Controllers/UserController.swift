import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Admins manage users, their roles and district scopes.
struct UserController {
    let env: ServerEnvironment

    struct NewUser: Decodable {
        var username: String
        var password: String
        var role: Role
        var districts: [String]?
    }

    struct UserChange: Decodable {
        var password: String?
        var role: Role?
        var districts: [String]?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("users") { _, context in
            _ = try context.user(.manageUsers)
            return try JSONBody.response(["items": try await env.store.users()])
        }
        group.post("users", use: create)
        group.get("users/:id") { _, context in
            _ = try context.user(.manageUsers)
            return try JSONBody.response(try await find(context))
        }
        group.patch("users/:id", use: update)
        group.delete("users/:id") { _, context in
            let p = try context.user(.manageUsers)
            let user = try await find(context)
            if user.id == p.userID { throw APIError(.conflict, "you cannot delete yourself") }
            try checkReach(p, over: user)
            try await env.store.deleteUser(id: user.id, audit: env.audit(p, "user.delete", "user", user.id, "deleted user \(user.username)"))
            return Response(status: .noContent)
        }
    }

    func find(_ context: AppRequestContext) async throws -> User {
        let id = try context.parameters.require("id")
        guard let user = try await env.store.user(id: id) else { throw APIError.notFound("user", id) }
        return user
    }

    /// Districts a user is scoped to must exist, or the scope would silently hide everything.
    func checkDistricts(_ districts: [String]) async throws {
        var issues: [FieldIssue] = []
        for (i, d) in districts.enumerated() where try await env.store.district(code: d) == nil {
            issues.append(FieldIssue(field: "districts[\(i)]", message: "unknown district '\(d)'"))
        }
        try ValidationError.check(issues)
    }

    /// An admin scoped to districts manages only users scoped within those districts, so no one
    /// reaches further through an account they made or changed than they reach themselves.
    func checkReach(_ p: Principal, granting districts: [String]) throws {
        guard case .only(let own) = p.scope else { return }
        guard !districts.isEmpty else {
            throw APIError(.forbidden, "a user without districts reaches every district, further than your own districts", field: "districts")
        }
        for (i, d) in districts.enumerated() where !own.contains(d) {
            throw APIError(.forbidden, "district '\(d)' is outside your districts", field: "districts[\(i)]")
        }
    }

    /// The user to change or delete is within the admin's reach.
    func checkReach(_ p: Principal, over user: User) throws {
        guard case .only(let own) = p.scope else { return }
        guard !user.districts.isEmpty, user.districts.allSatisfy(own.contains) else {
            throw APIError(.forbidden, "user \(user.username) reaches beyond your districts; an admin of every district manages them")
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.manageUsers)
        let body = try await JSONBody.decode(
            NewUser.self, from: request, allowedFields: ["username", "password", "role", "districts"], limit: env.configuration.maxBodyBytes)
        try ValidationError.check(User.issues(username: body.username, password: body.password, districts: body.districts))
        try await checkDistricts(body.districts ?? [])
        try checkReach(p, granting: body.districts ?? [])
        let user = User(
            id: Identifier.generate(prefix: "usr"), username: body.username, role: body.role,
            districts: (body.districts ?? []).sorted(), createdAt: env.clock())
        let hash = try await env.hasher.hash(body.password)
        try await env.store.createUser(
            user, passwordHash: hash,
            audit: env.audit(p, "user.create", "user", user.id, "created user \(user.username) as \(user.role.rawValue)"))
        return try JSONBody.response(user, status: .created)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.manageUsers)
        var user = try await find(context)
        let before = user
        let body = try await JSONBody.decode(
            UserChange.self, from: request, allowedFields: ["password", "role", "districts"], limit: env.configuration.maxBodyBytes)
        try ValidationError.check(User.issues(username: nil, password: body.password, districts: body.districts))
        try checkReach(p, over: user)
        if let districts = body.districts {
            try await checkDistricts(districts)
            try checkReach(p, granting: districts)
            user.districts = districts.sorted()
        }
        if let role = body.role {
            if user.id == p.userID && role != .admin { throw APIError(.conflict, "you cannot remove your own admin role") }
            user.role = role
        }
        let hash: String? = if let password = body.password { try await env.hasher.hash(password) } else { nil }
        var changed = [String]()
        if body.role != nil { changed.append("role=\(user.role.rawValue)") }
        if body.districts != nil { changed.append("districts=\(user.districts.joined(separator: ","))") }
        if body.password != nil { changed.append("password") }
        // A new password, role or scope signs the user out everywhere: sessions and API tokens made
        // under the old ones (perhaps by whoever learned the old password) stop working at once.
        let revoke = hash != nil || user.role != before.role || user.districts != before.districts
        try await env.store.updateUser(
            user, passwordHash: hash, revokingTokensAt: revoke ? env.clock() : nil,
            audit: env.audit(p, "user.update", "user", user.id, "updated \(user.username): \(changed.joined(separator: " "))"))
        return try JSONBody.response(user)
    }
}
