// swift-tools-version: 6.1
// libFuzzer targets for flux-dispatch's parsers of untrusted or hand-edited input. Built only with
// `-sanitize=fuzzer` (libFuzzer supplies `main`), so they live outside the main package:
//   scripts/fuzz.sh                 # every target, 10 minutes each
//   FUZZ_SECONDS=30 scripts/fuzz.sh # what .ci/run does
import PackageDescription

/// Each target and the library it exercises.
let targets: [(name: String, library: String)] = [
    ("FuzzEventParser", "FluxDispatchCore"), ("FuzzSignature", "FluxDispatchCore"), ("FuzzDurations", "FluxDispatchCore"),
    ("FuzzListenAddress", "FluxDispatchCore"), ("FuzzTheme", "FluxDispatchDashboard"),
]

let package = Package(
    name: "FluxDispatchFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "flux-dispatch", path: "..")],
    targets: [.target(name: "FuzzDriver")] + targets.map { target in
        .executableTarget(
            name: target.name, dependencies: ["FuzzDriver", .product(name: target.library, package: "flux-dispatch")])
    }
)
