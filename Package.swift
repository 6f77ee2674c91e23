// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "tentacle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tentacle", targets: ["tentacle"]),
        .library(name: "TentacleCore", targets: ["TentacleCore"]),
        .library(name: "TentacleRender", targets: ["TentacleRender"]),
        .library(name: "TentacleCAP", targets: ["TentacleCAP"]),
        .library(name: "TentacleStore", targets: ["TentacleStore"]),
        .library(name: "TentacleServer", targets: ["TentacleServer"]),
        .library(name: "TentacleAgent", targets: ["TentacleAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "TentacleCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TentacleRender",
            dependencies: ["CZlib"],
            resources: [.copy("Fonts")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TentacleCAP",
            dependencies: ["TentacleCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TentacleStore",
            dependencies: [
                "TentacleCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TentacleServer",
            dependencies: [
                "CZlib",
                "TentacleCore",
                "TentacleCAP",
                "TentacleStore",
                "TentacleRender",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Public")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TentacleAgent",
            dependencies: [
                "TentacleCore",
                "TentacleRender",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Made-up displays, sensor values and CAP documents for `tentacle simulate`, `demo`, `agent
        // --simulate-sensors` and `alert fuzz`; no library depends on it.
        .target(
            name: "TentacleSimulation",
            dependencies: [
                "TentacleCore",
                "TentacleCAP",
                "TentacleRender",
                "TentacleAgent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // `tentacle demo`: the fictional city of Port Tentacle, its seed and its displays' tokens; no library depends on it.
        .target(
            name: "TentacleDemo",
            dependencies: ["TentacleCore", "TentacleRender", "TentacleStore", "TentacleServer"],
            swiftSettings: swiftSettings
        ),
        // `tentacle bench`: the measurements and the baselines they are compared to; no library depends on it.
        .target(
            name: "TentacleBench",
            dependencies: [
                "TentacleCore",
                "TentacleRender",
                "TentacleStore",
                "TentacleServer",
                "TentacleDemo",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tentacle",
            dependencies: [
                "TentacleCore",
                "TentacleCAP",
                "TentacleRender",
                "TentacleServer",
                "TentacleAgent",
                "TentacleBench",
                "TentacleDemo",
                "TentacleSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the PyPI sACN and Art-Net receivers for the renderer's and the agent's interop tests.
        .target(name: "InteropPeers", path: "Tests/InteropPeers", swiftSettings: swiftSettings),
        // Fails when a library imports or depends on a module the design keeps it from.
        .testTarget(name: "ArchitectureTests", swiftSettings: swiftSettings),
        .testTarget(name: "TentacleCoreTests", dependencies: ["TentacleCore", "TentacleBench", "TentacleDemo"], swiftSettings: swiftSettings),
        .testTarget(name: "TentacleRenderTests", dependencies: ["TentacleRender", "CZlib", "InteropPeers"], resources: [.copy("Golden")], swiftSettings: swiftSettings),
        .testTarget(name: "TentacleAgentTests", dependencies: ["TentacleAgent", "TentacleRender", "TentacleCore", "InteropPeers"], swiftSettings: swiftSettings),
        .testTarget(name: "TentacleCAPTests", dependencies: ["TentacleCAP", "TentacleCore", "TentacleSimulation"], swiftSettings: swiftSettings),
        .testTarget(name: "TentacleBenchTests", dependencies: ["TentacleBench"], swiftSettings: swiftSettings),
        .testTarget(name: "TentacleSimulationTests", dependencies: ["TentacleSimulation", "TentacleAgent", "TentacleCore"], swiftSettings: swiftSettings),
        .testTarget(name: "TentacleDemoTests", dependencies: ["TentacleDemo", "TentacleCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TentacleStoreTests",
            dependencies: ["TentacleStore", "TentacleCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TentacleServerTests",
            dependencies: [
                "CZlib",
                "TentacleServer",
                "TentacleStore",
                "TentacleCore",
                "TentacleCAP",
                "TentacleRender",
                "TentacleAgent",
                "TentacleBench",
                "TentacleSimulation",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
