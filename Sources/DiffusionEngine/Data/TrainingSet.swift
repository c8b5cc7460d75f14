/// Training images held in memory as one tensor, with the course's augmentation.
///
/// Images are stored at the "load size" (the short side resized to 1.12x the model's size, then
/// centre-cropped to a square of that size), values in [-1, 1]:
///
///     images  (N, C, S, S)   S = loadSize >= size
///
/// `batch` cuts (B, C, size, size) crops from it: random crop + horizontal flip when augmenting,
/// centre crop otherwise. Decoding happens once, elsewhere (ImageIO); the engine never sees files.
public struct TrainingSet: Sendable {
    /// (N, C, S, S) in [-1, 1].
    public let images: Tensor
    /// The side of the crops handed to the model.
    public let size: Int
    /// Names for messages and the nearest-neighbour report (file names or built-in names).
    public let names: [String]

    public var count: Int { images.shape[0] }
    public var channels: Int { images.shape[1] }
    public var loadSize: Int { images.shape[2] }

    /// - Parameters:
    ///   - images: (N, C, S, S) in [-1, 1], S >= size.
    ///   - size: crop side.
    public init(images: Tensor, size: Int, names: [String]) throws {
        guard images.rank == 4, images.shape[2] == images.shape[3] else {
            throw EngineError("dataset: images must be (N,C,S,S) squares, got \(images.shapeDescription)")
        }
        guard images.shape[0] > 0 else { throw EngineError("dataset: no images") }
        guard images.shape[2] >= size, size > 0 else {
            throw EngineError("dataset: stored side \(images.shape[2]) is smaller than the crop size \(size)")
        }
        self.images = images
        self.size = size
        self.names = names.count == images.shape[0] ? names : (0..<images.shape[0]).map { "image \($0)" }
    }

    /// Copies image `i` cropped at (top, left), optionally mirrored, into `out` at batch slot `slot`.
    /// out: (B, C, size, size)
    @inline(__always)
    func copyCrop(_ i: Int, top: Int, left: Int, flip: Bool, into out: UnsafeMutablePointer<Float>, slot: Int) {
        let (c, s, z) = (channels, loadSize, size)
        images.data.withUnsafeBufferPointer { src in
            for ch in 0..<c {
                let plane = src.baseAddress! + (i * c + ch) * s * s
                let dst = out + ((slot * c + ch) * z * z)
                for y in 0..<z {
                    let row = plane + (top + y) * s + left
                    let drow = dst + y * z
                    if flip {
                        for x in 0..<z { drow[x] = row[z - 1 - x] }
                    } else {
                        for x in 0..<z { drow[x] = row[x] }
                    }
                }
            }
        }
    }

    /// A batch of crops of the images at `indices`.
    /// - Returns: (B, C, size, size).
    /// - Parameter augment: per image, `.cropFlip` draws top, left and a flip bit (in that
    ///   order), `.flip` only the flip bit of the centre window, `.off` nothing.
    public func batch(_ indices: [Int], augment: Augmentation, rng: inout RandomGenerator) -> Tensor {
        var out = Tensor(zeros: [indices.count, channels, size, size])
        let slack = loadSize - size
        out.data.withUnsafeMutableBufferPointer { o in
            for (slot, i) in indices.enumerated() {
                precondition(i >= 0 && i < count, "dataset.batch: index \(i) outside 0..<\(count)")
                var (top, left) = (slack / 2, slack / 2)
                if augment == .cropFlip {
                    top = slack > 0 ? rng.int(below: slack + 1) : 0
                    left = slack > 0 ? rng.int(below: slack + 1) : 0
                }
                let flip = augment.isOn && rng.uniform() < 0.5
                copyCrop(i, top: top, left: left, flip: flip, into: o.baseAddress!, slot: slot)
            }
        }
        return out
    }

    /// Every image centre-cropped, or the first `limit`: (min(N, limit), C, size, size). All of
    /// them are the reference set for the quality metrics.
    public func centreCrops(limit: Int? = nil) -> Tensor {
        centreCrops(of: Array(0..<min(count, limit ?? count)))
    }

    /// The centre crops of the images at `indices`: (indices.count, C, size, size).
    public func centreCrops(of indices: [Int]) -> Tensor {
        var rng = RandomGenerator(seed: 0)
        return batch(indices, augment: .off, rng: &rng)
    }
}

/// Draws batches in epochs: a fresh permutation of the dataset each epoch, from the trainer's RNG.
/// The whole state (epoch order and position) is two small values, so resume is exact.
public struct EpochSampler: Codable, Equatable, Sendable {
    public private(set) var order: [Int]
    public private(set) var position: Int
    public let count: Int

    public init(count: Int) {
        self.count = count
        self.order = []
        self.position = 0
    }

    /// The next `batchSize` indices (wrapping into a new shuffled epoch as needed).
    public mutating func next(_ batchSize: Int, rng: inout RandomGenerator) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(batchSize)
        while out.count < batchSize {
            if position >= order.count {
                order = rng.permutation(count)
                position = 0
            }
            out.append(order[position])
            position += 1
        }
        return out
    }
}
