// swift-tools-version:6.0
// ddpm: a terminal workbench for denoising diffusion models.
import PackageDescription

let package = Package(
    name: "ddpm",
    products: [
        .executable(name: "ddpm", targets: ["ddpm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: System libraries (Debian packages named in `providers` give a hint when missing)
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CNCurses", path: "Sources/CNCurses", pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]),

        // MARK: Libraries (arrows point down: ddpm -> Workbench -> {TerminalUI, DiffusionEngine, ImageIO})
        .target(
            name: "DiffusionEngine", dependencies: ["CBLAS"],
            swiftSettings: optimised),
        .target(
            name: "ImageIO", dependencies: ["CPNG", "CJPEG"],
            resources: [.copy("Resources/BuiltinFaces")],
            swiftSettings: optimised),
        .target(
            name: "TerminalUI", dependencies: ["CNCurses"],
            swiftSettings: optimised),
        .target(
            name: "Workbench", dependencies: ["DiffusionEngine", "ImageIO", "TerminalUI"],
            swiftSettings: optimised),

        // MARK: The executable (argument parsing only)
        .executableTarget(
            name: "ddpm",
            dependencies: ["Workbench", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: optimised),

        // MARK: Tests
        .testTarget(
            name: "DiffusionEngineTests", dependencies: ["DiffusionEngine", "ImageIO"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "DiffusionEngine", "TerminalUI", "ImageIO"]),
    ],
    swiftLanguageModes: [.v5]
)

/// Numeric kernels are bounds-checked in debug; release drops the checks the reference paths keep.
var optimised: [SwiftSetting] { [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))] }
