import CBLAS

/// The memorisation check: how close each generated sample is to its nearest training image.
///
/// RMSE(a, b) = √(mean over C·H·W of (a - b)²), in the images' [-1, 1] units (so 2 is the largest
/// possible, 0 a pixel-exact copy). A model that reproduces its training set drives the mean
/// nearest-neighbour RMSE towards 0; for reference, uniform noise in [-1, 1] against a zero image
/// scores √(1/3) ≈ 0.577.
///
/// Two ways to the same numbers: `compute(samples:training:)` compares every sample with every
/// training image in Double (N·M·D operations in a scalar loop); `compute(samples:against:)` takes
/// a `Reference` made once per run, ranks the training images with one float GEMM
/// (‖s‖² + ‖t‖² - 2 s·t), then redoes the exact Double sum for every image the GEMM's rounding
/// bound cannot rule out. Both return the same result, bit for bit (the same sums in the same
/// order, the same first index on ties); bench/RESULTS.md (issue 13) has the timings.
public enum NearestNeighbourDistance {
    /// Per-sample nearest neighbours and their mean distance.
    public struct Result: Codable, Equatable, Sendable {
        /// The mean over samples of the nearest-neighbour RMSE.
        public let meanRMSE: Float
        /// Each sample's nearest-neighbour RMSE, (N,).
        public let perSample: [Float]
        /// Each sample's nearest training image (index into the training set), (N,).
        public let nearestIndex: [Int]
    }

    /// A training set prepared once for `compute(samples:against:)`: the images as stored, the
    /// window of them that is measured (all of it, or the centred crop the trainer's reference
    /// uses, read in place instead of copied) and the windows' norms.
    public struct Reference: Sendable {
        /// (M, C, H, W) as stored.
        public let images: Tensor
        /// The measured window: rows top..<top+height, columns left..<left+width of every image.
        public let top: Int, left: Int, height: Int, width: Int
        /// ‖window of t_j‖ (Double sums), (M,).
        let norms: [Double]

        /// Measures the images whole.
        /// - Throws: `EngineError` when `images` is not (M,C,H,W) with M >= 1.
        public init(_ images: Tensor) throws {
            try self.init(images, top: 0, left: 0, height: images.rank == 4 ? images.shape[2] : 0, width: images.rank == 4 ? images.shape[3] : 0)
        }

        /// Measures the centred `side` x `side` crop of each image, as `TrainingSet.centreCrops`
        /// cuts it (offset ⌊(H - side)/2⌋, ⌊(W - side)/2⌋), without copying it.
        /// - Throws: `EngineError` when `images` is not (M,C,H,W) with M >= 1 and H, W >= side.
        public init(images: Tensor, centreCrop side: Int) throws {
            guard images.rank == 4, side >= 1, images.shape[2] >= side, images.shape[3] >= side else {
                throw EngineError("nearest-neighbour RMSE: no \(side)x\(side) crop in training images \(images.shapeDescription)")
            }
            try self.init(images, top: (images.shape[2] - side) / 2, left: (images.shape[3] - side) / 2, height: side, width: side)
        }

        init(_ images: Tensor, top: Int, left: Int, height: Int, width: Int) throws {
            guard images.rank == 4, images.shape[0] > 0, height > 0, width > 0 else {
                throw EngineError("nearest-neighbour RMSE: the training set must be (M,C,H,W) with M >= 1, got \(images.shapeDescription)")
            }
            self.images = images
            (self.top, self.left, self.height, self.width) = (top, left, height, width)
            let window = Window(images, top: top, left: left, height: height, width: width)
            norms = images.data.withUnsafeBufferPointer { t in
                (0..<images.shape[0]).map { j in
                    var s = 0.0
                    window.forEach(image: j) { k in let v = Double(t[k]); s += v * v }
                    return s.squareRoot()
                }
            }
        }

        public var count: Int { images.shape[0] }
        /// The shape of one measured image, (C, height, width).
        var measuredShape: [Int] { [images.shape[1], height, width] }
    }

    /// Nearest-neighbour RMSE of every sample to a training set (exact search, Double sums).
    /// - Parameters:
    ///   - samples: (N,C,H,W).
    ///   - training: (M,C,H,W), the same C, H, W.
    /// - Throws: `EngineError` when the shapes differ or a set is empty.
    public static func compute(samples: Tensor, training: Tensor) throws -> Result {
        let (n, m) = try check(samples, training.shape)
        let window = Window(training, top: 0, left: 0, height: training.shape[2], width: training.shape[3])
        var best = [Float](repeating: 0, count: n), index = [Int](repeating: 0, count: n)
        for i in 0..<n {
            (best[i], index[i]) = exactSearch(samples, i, training, window, candidates: 0..<m)
        }
        return Result(meanRMSE: best.reduce(0, +) / Float(n), perSample: best, nearestIndex: index)
    }

    /// The same result as `compute(samples:training:)` against the reference's measured windows, in
    /// one GEMM plus an exact check of the few training images within the GEMM's error bound of the best.
    /// - Throws: `EngineError` when the shapes differ or there are no samples.
    public static func compute(samples: Tensor, against reference: Reference) throws -> Result {
        let (n, m) = try check(samples, [reference.count] + reference.measuredShape)
        let stored = reference.images.count / m
        let window = Window(reference.images, top: reference.top, left: reference.left, height: reference.height, width: reference.width)
        // Samples placed in the window of a zero image of the stored size, so the GEMM multiplies
        // the stored images as they are: dots (N, M) = padded (N, S) · imagesᵀ (S, M), single precision.
        var padded = [Float](repeating: 0, count: n * stored)
        let d = samples.count / n
        for i in 0..<n {
            var k = 0
            window.forEach(image: i) { o in padded[o] = samples.data[i * d + k]; k += 1 }
        }
        var dots = [Float](repeating: 0, count: n * m)
        padded.withUnsafeBufferPointer { s in
            reference.images.data.withUnsafeBufferPointer { t in
                dots.withUnsafeMutableBufferPointer { o in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(m), blasint(stored),
                                1, s.baseAddress, blasint(stored), t.baseAddress, blasint(stored), 0, o.baseAddress, blasint(m))
                }
            }
        }
        // |fl(s·t) - s·t| <= γ_S Σ|s_k t_k| <= γ_S ‖s‖‖t‖ with γ_S = S·u / (1 - S·u), u = 2⁻²⁴, for any
        // summation order (Higham, Accuracy and Stability, 3.1); the distance has 2 s·t in it. The
        // Double sums being compared carry a relative error near D·2⁻⁵³: 1e-9 covers it many times.
        let sampleNorms = norms(samples)
        let u = Double(Float.ulpOfOne) / 2, gamma = Double(stored) * u / (1 - Double(stored) * u)
        var best = [Float](repeating: 0, count: n), index = [Int](repeating: 0, count: n)
        var lower = [Double](repeating: 0, count: m)
        for i in 0..<n {
            let ns = sampleNorms[i]
            var lowest = Double.infinity
            for j in 0..<m {
                let nt = reference.norms[j]
                let approx = ns * ns + nt * nt - 2 * Double(dots[i * m + j])
                let slack = 2 * gamma * ns * nt + 1e-9 * (ns * ns + nt * nt) + 1e-30
                lower[j] = approx - slack
                lowest = min(lowest, approx + slack)
            }
            // A non-finite sample (a diverged model) is searched in full: it says what it always said.
            let candidates = lowest.isFinite ? (0..<m).filter { lower[$0] <= lowest } : Array(0..<m)
            (best[i], index[i]) = exactSearch(samples, i, reference.images, window, candidates: candidates)
        }
        return Result(meanRMSE: best.reduce(0, +) / Float(n), perSample: best, nearestIndex: index)
    }

    /// Element offsets of a window of (M, C, H, W) images, in (c, y, x) order.
    struct Window {
        let channels: Int, imageHeight: Int, imageWidth: Int
        let top: Int, left: Int, height: Int, width: Int

        init(_ images: Tensor, top: Int, left: Int, height: Int, width: Int) {
            (channels, imageHeight, imageWidth) = (images.shape[1], images.shape[2], images.shape[3])
            (self.top, self.left, self.height, self.width) = (top, left, height, width)
        }

        /// Calls `body` with the offset of every element of image j's window, in (c, y, x) order.
        @inline(__always)
        func forEach(image j: Int, _ body: (Int) -> Void) {
            for c in 0..<channels {
                for y in 0..<height {
                    let row = ((j * channels + c) * imageHeight + top + y) * imageWidth + left
                    for x in 0..<width { body(row + x) }
                }
            }
        }
    }

    /// (N, M) after checking the samples are (N,C,H,W) like `training` (M,C,H,W) and neither is empty.
    static func check(_ samples: Tensor, _ training: [Int]) throws -> (Int, Int) {
        guard samples.rank == 4, training.count == 4, Array(samples.shape.dropFirst()) == Array(training.dropFirst()) else {
            throw EngineError("nearest-neighbour RMSE: samples \(samples.shapeDescription) and training set (\(training.map(String.init).joined(separator: ","))) must both be (N,C,H,W) with the same C, H, W")
        }
        let n = samples.shape[0], m = training[0]
        guard n > 0, m > 0 else {
            throw EngineError("nearest-neighbour RMSE: needs at least one sample and one training image, got N=\(n), M=\(m)")
        }
        return (n, m)
    }

    /// Sample i's nearest image among `candidates` (ascending), measured on `window`: Double sums
    /// over the elements in order, the first index on ties, a sum abandoned once it cannot win.
    /// Returns (RMSE, index).
    static func exactSearch<C: Sequence>(_ samples: Tensor, _ i: Int, _ training: Tensor, _ window: Window, candidates: C) -> (Float, Int) where C.Element == Int {
        let d = window.channels * window.height * window.width
        var bestSum = Double.infinity, bestJ = 0
        samples.data.withUnsafeBufferPointer { s in
            training.data.withUnsafeBufferPointer { tr in
                let sample = s.baseAddress! + i * d
                for j in candidates {
                    var sum = 0.0, k = 0
                    search: for c in 0..<window.channels {
                        for y in 0..<window.height {
                            let row = tr.baseAddress! + ((j * window.channels + c) * window.imageHeight + window.top + y) * window.imageWidth + window.left
                            for x in 0..<window.width {
                                let diff = Double(sample[k]) - Double(row[x])
                                sum += diff * diff
                                k += 1
                                if sum >= bestSum { break search }   // cannot win any more
                            }
                        }
                    }
                    if sum < bestSum { bestSum = sum; bestJ = j }
                }
            }
        }
        return (Float((bestSum / Double(d)).squareRoot()), bestJ)
    }

    /// ‖x_i‖ for each image of (N, ...), Double sums.
    static func norms(_ x: Tensor) -> [Double] {
        let n = x.shape[0], d = x.count / max(n, 1)
        return x.data.withUnsafeBufferPointer { p in
            (0..<n).map { i in
                var s = 0.0
                for k in 0..<d { let v = Double(p[i * d + k]); s += v * v }
                return s.squareRoot()
            }
        }
    }
}
