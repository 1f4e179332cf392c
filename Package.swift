// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "testbedos",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "testbedd", targets: ["testbedd"]),
        .executable(name: "testbedctl", targets: ["testbedctl"]),
        .executable(name: "testbed-netns", targets: ["testbed-netns"]),
        .library(name: "TestbedProtocol", targets: ["TestbedProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        /// libsystemd: sd_listen_fds_with_names, sd_notify (and later sd-bus, sd-journal).
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        /// Small C helpers for what Swift cannot call directly (GNU posix_spawn actions).
        .target(name: "CTestbedShims", path: "Sources/CTestbedShims"),
        /// The wire: messages, error codes, the frame codec and the async client connection.
        .target(
            name: "TestbedProtocol",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Sources/Protocol"
        ),
        /// The cluster's certificates: the CA, node certificates, requests, and the
        /// identity rules the bridge checks. Shared by the daemon and the CLI.
        .target(
            name: "TestbedPKI",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/PKI"
        ),
        /// The daemon as a library: transport, RPC dispatch, store, system glue.
        .target(
            name: "TestbedDaemon",
            dependencies: [
                "TestbedProtocol",
                "TestbedPKI",
                "CSystemd",
                "CTestbedShims",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "testbedd",
            dependencies: [
                "TestbedDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        /// The CLI's commands and rendering, as a library so they can be tested.
        .target(
            name: "TestbedCLI",
            dependencies: [
                "TestbedProtocol",
                "TestbedPKI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "testbedctl",
            dependencies: ["TestbedCLI"]
        ),
        /// The netns orchestrator as a library: the topology read from kvm-compose.yaml,
        /// its names, its durable state, and the steps that deploy it as namespaces.
        .target(
            name: "TestbedNetns",
            dependencies: [
                "CTestbedShims",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/TestbedNetns"
        ),
        /// `testbed-netns`: the orchestrator contract's command line over TestbedNetns.
        .executableTarget(name: "testbed-netns", dependencies: ["TestbedNetns"]),
        /// A benchmark of log following (throughput, write-to-follower latency); not a test.
        .executableTarget(
            name: "testbed-bench",
            dependencies: [
                "TestbedProtocol",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// libFuzzer targets, each built alone with `--sanitize=fuzzer` (the
        /// other executables' `main` clashes with libFuzzer's): scripts/fuzz.
        .executableTarget(name: "testbed-fuzz-request", dependencies: ["TestbedDaemon"]),
        .executableTarget(name: "testbed-fuzz-bridge", dependencies: ["TestbedDaemon"]),
        .testTarget(
            name: "ProtocolTests",
            dependencies: [
                "TestbedProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "TestbedDaemonTests",
            dependencies: [
                "TestbedDaemon", "TestbedProtocol",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TestbedCLITests", dependencies: ["TestbedCLI", "TestbedProtocol"]),
        .testTarget(
            name: "PKITests",
            dependencies: [
                "TestbedPKI",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(name: "NetnsTests", dependencies: ["TestbedNetns"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestbedProtocol", "TestbedPKI", "TestbedNetns", "testbedd", "testbedctl", "testbed-netns",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
