import DiffusionEngine
import ImageIO

/// Where training images come from: the faces built into the binary, or a folder of PNG/JPEG files.
public enum DataSource: Equatable, Sendable, CustomStringConvertible {
    case builtin
    case folder(path: String, className: String?)

    public init(folder: String?, className: String?) {
        if let folder { self = .folder(path: folder, className: className) } else { self = .builtin }
    }

    /// What training does to each image when the user did not say (`--augment`), on top of a
    /// recipe's own choice for folders (`ddpm train`'s crop-flip, the course's; the workbench's off).
    ///
    /// The built-in faces are 51 centred icons on a white ground: a shifted crop is a face the data
    /// never shows, and the quality metric measures against the centred images. Measured on the
    /// default run (workbench, tiny, batch 16): nn-RMSE 0.58 at step 2000 with crops, 0.46 at 2000
    /// and 0.31 at 3000 without. On new folders, see bench/RESULTS.md "Recipe".
    public func defaultAugmentation(recipe: Augmentation) -> Augmentation {
        if case .builtin = self { return .off }
        return recipe
    }

    /// `defaultAugmentation` in words, for the help.
    public static let augmentationRule = "off for the built-in faces (centred icons); for --data folders crop-flip with ddpm train (the course's), off in the workbench (--recipe workbench: a short run learns a small folder sooner as it is)"

    public var description: String {
        switch self {
        case .builtin: return BuiltinFaces.sourceName
        case let .folder(path, nil): return path
        case let .folder(path, cls?): return "\(path) (class \(cls))"
        }
    }

    /// What loading produced: the engine's training set plus what to tell the user.
    public struct Loaded: Sendable {
        public var set: TrainingSet
        /// One line per skipped file ("path: reason").
        public var warnings: [String]
        /// Where the images came from, for the UI.
        public var description: String

        public init(set: TrainingSet, warnings: [String] = [], description: String) {
            self.set = set
            self.warnings = warnings
            self.description = description
        }
    }

    /// The images at a model's size and channel count.
    /// - Parameter progress: (files done, files found) while a folder decodes; see `load(size:channels:progress:)`.
    public func load(for model: UNetConfig, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Loaded {
        try load(size: model.imageSize, channels: model.channels, progress: progress)
    }

    /// The images at the size and channel count of a run's model (its UNet or its VAE).
    public func load(for options: TrainingOptions, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Loaded {
        try load(size: options.imageSize, channels: options.channels, progress: progress)
    }

    /// One image file prepared as training images are, centre-cropped: (1, channels, size, size) in [-1, 1].
    /// - Throws: `ImageError` naming the file when it cannot be read or decoded.
    public static func image(atPath path: String, size: Int, channels: Int) throws -> Tensor {
        let prep = ImagePreparation(size: size, mode: .train)
        let image = prep.prepare(try ImageDecoder.decodeFile(atPath: path))
        let side = prep.resizedSide
        var data = [Float](repeating: 0, count: channels * side * side)
        data.withUnsafeMutableBufferPointer { store(image, side: side, channels: channels, at: $0.baseAddress!) }
        return try TrainingSet(images: Tensor(shape: [1, channels, side, side], data: data), size: size, names: [path]).centreCrops()
    }

    /// Wraps a progress report so it runs at most every `interval` seconds, and always for the last file.
    public static func throttled(every interval: Double = 0.1, _ report: @escaping (_ done: Int, _ total: Int) -> Void) -> (Int, Int) -> Void {
        var last = -Double.infinity
        return { done, total in
            let now = monotonicSeconds()
            guard done == total || now - last >= interval else { return }
            last = now
            report(done, total)
        }
    }

    /// Decodes every image once, resizes the short side to 1.12x `size` and keeps a centred square of
    /// that side (the trainer takes random `size` crops and flips from it).
    /// - Parameter channels: 3 (RGB) or 1 (grey: ITU-R BT.601 luma of the sRGB values, as PIL's
    ///   `convert("L")` and torchvision's `Grayscale` compute it).
    /// - Parameter progress: called with (files done, files found) as a folder decodes, one call at
    ///   a time from the decoding threads (the built-in faces report nothing).
    /// - Throws: `ImageError`/`EngineError` with a one-line message (missing or empty folder, ...).
    public func load(size: Int, channels: Int, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Loaded {
        guard channels == 1 || channels == 3 else {
            throw EngineError("data: \(channels) channels asked; images load as 3 (RGB) or 1 (grey)")
        }
        let prep = ImagePreparation(size: size, mode: .train)
        let side = prep.resizedSide, per = channels * side * side
        let data: [Float], names: [String], warnings: [String]
        switch self {
        case .builtin:
            let ds = try BuiltinFaces.dataset(preparation: prep)
            data = [Float](unsafeUninitializedCapacity: ds.count * per) { buf, n in
                for (i, img) in ds.images.enumerated() { Self.store(img, side: side, channels: channels, at: buf.baseAddress! + i * per) }
                n = ds.count * per
            }
            (names, warnings) = (ds.names, [])
        case let .folder(path, cls):
            // Each image goes into the tensor's storage as it is decoded: never the whole set twice.
            let listing = try ImageDataset.FolderListing(path, classFilter: cls)
            var decoded: ImageDataset.FolderListing.Decoded?
            data = try [Float](unsafeUninitializedCapacity: listing.count * per) { buf, n in
                let base = buf.baseAddress!
                let d = try listing.decode(preparation: prep, progress: progress) { i, img in
                    Self.store(img, side: side, channels: channels, at: base + i * per)
                }
                for (k, i) in d.kept.enumerated() where k != i {  // close the gaps of skipped files
                    (base + k * per).update(from: base + i * per, count: per)
                }
                n = d.kept.count * per
                decoded = d
            }
            (names, warnings) = (decoded!.names, decoded!.warnings.map(\.description))
        }
        let count = names.count
        let set = try TrainingSet(images: Tensor(shape: [count, channels, side, side], data: data), size: size, names: names)
        return Loaded(set: set, warnings: warnings, description: "\(description): \(count) image\(count == 1 ? "" : "s")")
    }

    /// Writes one prepared image, centre-cropped to side x side, into `dst` as (channels, side, side)
    /// in [-1, 1] (grey: the luma).
    static func store(_ img: RGBImage, side: Int, channels: Int, at dst: UnsafeMutablePointer<Float>) {
        let sq = (img.width == side && img.height == side) ? img : img.centreCropped(width: side, height: side)
        let plane = side * side
        sq.pixels.withUnsafeBufferPointer { px in
            if channels == 3 {
                for j in 0..<(3 * plane) { dst[j] = px[j] * 2 - 1 }  // [0,1] -> [-1,1]
            } else {
                for j in 0..<plane { dst[j] = (0.299 * px[j] + 0.587 * px[plane + j] + 0.114 * px[2 * plane + j]) * 2 - 1 }
            }
        }
    }
}
