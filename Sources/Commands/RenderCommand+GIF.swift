import DiffusionEngine
import Foundation
import ImageIO
import Workbench

/// `ddpm render --gif FILE`: the chain as a looping animated GIF, each frame x_t with the
/// model's x̂_0 beside it (on white, 1 pixel apart), enlarged by a whole factor with nearest
/// neighbour and quantised to `GIFEncoder`'s fixed 256-colour palette. Frames are shown 6/100 s
/// each; the last (x_0 twice) holds 2 s before the loop restarts.
extension RenderCommand {
    static let gifFrameDelay = 6, gifLastFrameDelay = 200

    /// The default enlargement: about 128 pixels a side (4 for 32px chains), at least 1.
    static func defaultGIFScale(imageSize: Int) -> Int { max(1, 128 / max(1, imageSize)) }

    /// Refuses a target that cannot be written, before any sampling: a folder, or a path whose
    /// folder is missing or not writable.
    static func checkGIFTarget(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw FlagError("--gif \(path): is a folder; name a file, e.g. \(path)/chain.gif")
        }
        let folder = FlagValues.folder(of: path)
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw FlagError("--gif \(path): the folder \(folder) does not exist")
        }
        guard access(folder, W_OK) == 0 else { throw FlagError("--gif \(path): the folder \(folder) is not writable") }
    }

    /// One frame per shot: x_t | x̂_0 on white. Shots and predictions are (1,C,H,W) in [-1, 1].
    static func gifFrames(shots: [Tensor], predictions: [Tensor]) -> [RGBImage] {
        zip(shots, predictions).map { x, p in
            ImageGrid.makeGrid([TensorImages.images(x)[0], TensorImages.images(p)[0]], nrow: 2, padding: 1, padValue: 1)
        }
    }

    /// Writes the GIF and prints what was written.
    func writeGIF(_ path: String, shots: [Tensor], predictions: [Tensor], imageSize: Int, console: Console) throws {
        let frames = Self.gifFrames(shots: shots, predictions: predictions)
        let scale = gifScale ?? Self.defaultGIFScale(imageSize: imageSize)
        let delays = frames.indices.map { $0 == frames.count - 1 ? Self.gifLastFrameDelay : Self.gifFrameDelay }
        try GIFEncoder.write(frames, delays: delays, scale: scale, to: path)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        console.line(String(format: "wrote %@: %d frames (x_t | x̂_0), %dx%d (x%d), %.2f MB, looping",
                            path, frames.count, frames[0].width * scale, frames[0].height * scale, scale, Double(bytes) / 1e6))
    }
}
