import DiffusionEngine
import Foundation
import Workbench

/// `ddpm render --gif FILE`: the chain as a looping animated GIF (`ChainGIF`, which the Denoise
/// screen's `a` key writes too).
extension RenderCommand {
    /// Refuses a target that cannot be written, before any sampling.
    static func checkGIFTarget(_ path: String) throws {
        if let problem = ChainGIF.targetProblem(path) { throw FlagError("--gif \(path): \(problem)") }
    }

    /// Writes the GIF and prints what was written.
    func writeGIF(_ path: String, shots: [Tensor], predictions: [Tensor], console: Console) throws {
        let written = try ChainGIF.write(path, shots: shots, predictions: predictions, scale: gifScale)
        console.line("wrote \(path): \(written.summary)")
    }
}
