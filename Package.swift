// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "flux-dispatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "flux-dispatch", targets: ["FluxDispatchCLI"]),
        // For the fuzz targets in Fuzz/ (a package of their own, built with -sanitize=fuzzer).
        .library(name: "FluxDispatchCore", targets: ["FluxDispatchCore"]),
        .library(name: "FluxDispatchDashboard", targets: ["FluxDispatchDashboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // Pure domain: Flux events, routing, validation, dedup keys, signatures, durations, payloads.
        .target(
            name: "FluxDispatchCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The SQLite state store: schema, migrations, writes, queries, retention. The only place with SQL.
        .target(
            name: "FluxDispatchStore",
            dependencies: [
                "FluxDispatchCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the one statement bound without GRDB (EventRowInsert).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The HTTP pipeline, GitHub App client, metrics, heartbeat and background services.
        .target(
            name: "FluxDispatchReceiver",
            dependencies: [
                "FluxDispatchCore",
                "FluxDispatchStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The dashboard's pure layer: view state, key actions, layout into a cell grid, themes.
        // No terminal I/O here; the ncurses backend only blits the grid and reads keys.
        .target(
            name: "FluxDispatchDashboard",
            dependencies: [
                "FluxDispatchCore",
                "FluxDispatchStore",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The system ncursesw library (wide-character API), from Debian's libncurses-dev.
        .systemLibrary(
            name: "CNcursesw",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The thin terminal backend: blits a dashboard cell grid with ncursesw and reads keys.
        .target(
            name: "FluxDispatchTerminal",
            dependencies: ["CNcursesw", "FluxDispatchDashboard"]
        ),
        // A loopback stand-in for the GitHub API: mints installation tokens, records dispatches.
        // Used by the tests, the benchmarks and the demo.
        .target(
            name: "GitHubStandIn",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // ThreadSanitizer's suppressions (one false positive inside SwiftNIO, explained there),
        // in C because ThreadSanitizer reads them before an instrumented function may run.
        .target(name: "ThreadSanitizerDefaults"),
        // The `flux-dispatch` executable: argument parsing and wiring only.
        .executableTarget(
            name: "FluxDispatchCLI",
            dependencies: [
                "ThreadSanitizerDefaults",
                "FluxDispatchCore",
                "FluxDispatchDashboard",
                "FluxDispatchTerminal",
                "FluxDispatchStore",
                "FluxDispatchReceiver",
                "GitHubStandIn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // What the randomized tests of several targets share (a seeded generator); tests only.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "FluxDispatchCoreTests", dependencies: ["FluxDispatchCore", "TestSupport"]),
        // Parses deploy/ (systemd unit, Kubernetes manifests) and checks what running it for real needs.
        .testTarget(name: "DeployManifestTests", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Drives the built `flux-dispatch` (dash in tmux, serve killed with SIGKILL, the CLI); depends on
        // the executable so it is built.
        .testTarget(
            name: "FluxDispatchEndToEndTests",
            dependencies: [
                "FluxDispatchCLI",
                "FluxDispatchCore",
                "FluxDispatchReceiver",
                "FluxDispatchStore",
                "GitHubStandIn",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FluxDispatchDashboardTests",
            dependencies: ["FluxDispatchDashboard", "FluxDispatchStore"],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "FluxDispatchStoreTests",
            dependencies: ["FluxDispatchStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "FluxDispatchReceiverTests",
            dependencies: [
                "FluxDispatchReceiver",
                "FluxDispatchStore",
                "GitHubStandIn",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
