import Foundation

/// The folder a training run writes to: checkpoints, sample grids and `metrics.jsonl`.
///
///     <out>/checkpoint.safetensors      the newest checkpoint (atomically replaced)
///     <out>/samples/step-001000.png     sample grid at each milestone, and step-final.png
///     <out>/samples/recon-step-001000.png   a VAE's inputs and reconstructions at each milestone (and recon-step-final.png)
///     <out>/metrics.jsonl               one JSON object per logged step
public struct RunFolder: Sendable {
    public let path: String

    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path + "/samples", withIntermediateDirectories: true)
        } catch {
            throw EngineError(about: \RunFolder.path, named: "folder") {
                "run folder \(path): cannot create it (\(error.localizedDescription)); pick another \($0)"
            }
        }
    }

    public var checkpointPath: String { path + "/checkpoint.safetensors" }
    public var metricsPath: String { path + "/metrics.jsonl" }
    public func samplePath(step: Int) -> String { path + String(format: "/samples/step-%06d.png", step) }
    public var finalSamplePath: String { path + "/samples/step-final.png" }
    /// A VAE's reconstruction grid at a milestone step, or the final one (nil).
    public func reconstructionPath(step: Int?) -> String {
        path + (step.map { String(format: "/samples/recon-step-%06d.png", $0) } ?? "/samples/recon-step-final.png")
    }
}
