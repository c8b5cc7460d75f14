import DiffusionEngine
import Foundation
import ImageIO

/// A reverse chain as a looping animated GIF: each frame x_t with the model's x̂_0 beside it (on
/// white, 1 pixel apart), enlarged by a whole factor with nearest neighbour and quantised to
/// `GIFEncoder`'s fixed 256-colour palette. Frames are shown 6/100 s each; the last (x_0 twice)
/// holds 2 s before the loop restarts.
///
/// The one implementation behind `ddpm render --gif FILE` and the Denoise screen's `a` key: both
/// pick the same `positions` of the chain and write them with `write`.
public enum ChainGIF {
    public static let frameDelay = 6, lastFrameDelay = 200
    /// Frames when none are asked for (`render --frames` otherwise).
    public static let defaultFrames = 64

    /// The default enlargement: about 128 pixels a side (4 for 32px chains), at least 1.
    public static func defaultScale(imageSize: Int) -> Int { max(1, 128 / max(1, imageSize)) }

    /// The chain positions shown (0 = x_T before the first step, `total` = the final x_0):
    /// `count` (≥ 2) evenly spaced, rounded, so the ends are always in and a short chain shows
    /// each state once.
    public static func positions(total: Int, count: Int) -> Set<Int> {
        Set((0..<count).map { Int((Double($0) * Double(total) / Double(max(1, count - 1))).rounded()) })
    }

    /// Why `path` cannot be written, nil when it can: a folder, or a file whose folder is missing
    /// or not writable. Checked before any sampling.
    public static func targetProblem(_ path: String) -> String? {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return "is a folder; name a file, e.g. \(path)/chain.gif"
        }
        let d = (path as NSString).deletingLastPathComponent
        let folder = d.isEmpty ? "." : d
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            return "the folder \(folder) does not exist"
        }
        return access(folder, W_OK) == 0 ? nil : "the folder \(folder) is not writable"
    }

    /// One frame per shot: x_t | x̂_0 on white. Shots and predictions are (1,C,H,W) in [-1, 1].
    public static func frames(shots: [Tensor], predictions: [Tensor]) -> [RGBImage] {
        zip(shots, predictions).map { x, p in
            ImageGrid.makeGrid([TensorImages.images(x)[0], TensorImages.images(p)[0]], nrow: 2, padding: 1, padValue: 1)
        }
    }

    /// What `write` wrote.
    public struct Written: Equatable, Sendable {
        public var path: String
        public var frames: Int
        public var width: Int
        public var height: Int
        public var scale: Int
        public var bytes: Int

        /// "F frames (x_t | x̂_0), WxH (xS), M MB, looping".
        public var summary: String {
            String(format: "%d frames (x_t | x̂_0), %dx%d (x%d), %.2f MB, looping", frames, width, height, scale, Double(bytes) / 1e6)
        }
    }

    /// Writes the frames of `shots` and `predictions` (the same count, at least one).
    /// - Parameter scale: the whole enlargement; nil = `defaultScale`.
    /// - Throws: `ImageIOError` when the file cannot be written.
    @discardableResult
    public static func write(_ path: String, shots: [Tensor], predictions: [Tensor], scale: Int? = nil) throws -> Written {
        let frames = frames(shots: shots, predictions: predictions)
        let k = scale ?? defaultScale(imageSize: shots.first?.shape.last ?? 1)
        let delays = frames.indices.map { $0 == frames.count - 1 ? lastFrameDelay : frameDelay }
        try GIFEncoder.write(frames, delays: delays, scale: k, to: path)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Written(path: path, frames: frames.count, width: frames[0].width * k, height: frames[0].height * k, scale: k, bytes: bytes)
    }

    /// The shots of a finished Denoise chain at `positions(total:count:)`: each step's input x_t
    /// with its x̂_0, and x_0 twice at the end — what `render --gif` takes from the same chain.
    /// - Returns: nil while the chain is not finished.
    public static func shots(of h: DenoiseHistory, count: Int = defaultFrames) -> (shots: [Tensor], predictions: [Tensor])? {
        guard h.isFinished, h.error == nil else { return nil }
        var shots: [Tensor] = [], predictions: [Tensor] = []
        for p in positions(total: h.length, count: count).sorted() {
            let (x, x0) = p < h.length ? (h.frames[p].x, h.frames[p].predictedX0) : (h.current, h.current)
            shots.append(x)
            predictions.append(x0)
        }
        return (shots, predictions)
    }
}
