import PostgresNIO

extension PostgresStore: JobCoordination {
    /// A session advisory lock per job, held on a connection of the lock pool while `body` runs
    /// on the work pool; a node that dies drops the connection and with it the lock.
    public func exclusively<T: Sendable>(_ job: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let key = Self.lockKey(job)
        do {
            return try await Self.leased(locks, within: leaseWait) { connection -> T? in
                let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
                var held = false
                for try await granted in rows.decode(Bool.self) { held = granted }
                guard held else { return nil }
                do {
                    let result = try await body()
                    try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                    throw error
                }
            }
        } catch {
            throw Self.translate(error)
        }
    }

    /// A stable 64-bit key per job name (FNV-1a), in the range Tentacle's own locks use.
    static func lockKey(_ job: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "tentacle.job.\(job)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
