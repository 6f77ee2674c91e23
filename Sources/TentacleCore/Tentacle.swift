/// Facts about this build of Tentacle.
public enum Tentacle {
    /// The software version reported by `/v1/version` and the CLI.
    public static let version = "0.1.0"
    /// The HTTP API generation.
    public static let apiVersion = "v1"
}
