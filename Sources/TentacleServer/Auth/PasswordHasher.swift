import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's thread pool, so slow hashing never blocks an event loop.
package struct PasswordHasher: Sendable {
    let cost: UInt8
    /// A hash checked when the user does not exist, so timing does not reveal usernames.
    let decoy: String

    package init(cost: UInt8) {
        self.cost = cost
        decoy = Bcrypt.hash(Secret.generate(prefix: ""), cost: cost)
    }

    package func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

}
