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

    /// A training set prepared once for `compute(samples:against:)`: the images and their norms.
    public struct Reference: Sendable {
        /// (M, C, H, W).
        public let images: Tensor
        /// ‖t_j‖ (Double sums), (M,).
        let norms: [Double]

        /// - Throws: `EngineError` when `images` is not (M,C,H,W) with M >= 1.
        public init(_ images: Tensor) throws {
            guard images.rank == 4, images.shape[0] > 0 else {
                throw EngineError("nearest-neighbour RMSE: the training set must be (M,C,H,W) with M >= 1, got \(images.shapeDescription)")
            }
            self.images = images
            norms = NearestNeighbourDistance.norms(images)
        }

        public var count: Int { images.shape[0] }
    }

    /// Nearest-neighbour RMSE of every sample to a training set (exact search, Double sums).
    /// - Parameters:
    ///   - samples: (N,C,H,W).
    ///   - training: (M,C,H,W), the same C, H, W.
    /// - Throws: `EngineError` when the shapes differ or a set is empty.
    public static func compute(samples: Tensor, training: Tensor) throws -> Result {
        let (n, m, d) = try check(samples, training)
        var best = [Float](repeating: 0, count: n), index = [Int](repeating: 0, count: n)
        for i in 0..<n {
            (best[i], index[i]) = exactSearch(samples, i, training, candidates: 0..<m, dimension: d)
        }
        return Result(meanRMSE: best.reduce(0, +) / Float(n), perSample: best, nearestIndex: index)
    }

    /// The same result as `compute(samples:training:)` against `reference.images`, in one GEMM
    /// plus an exact check of the few training images within the GEMM's error bound of the best.
    /// - Throws: `EngineError` when the shapes differ or there are no samples.
    public static func compute(samples: Tensor, against reference: Reference) throws -> Result {
        let (n, m, d) = try check(samples, reference.images)
        let sampleNorms = norms(samples)
        // dots: (N, M) = samples (N, D) · trainingᵀ (D, M), single-precision.
        var dots = [Float](repeating: 0, count: n * m)
        samples.data.withUnsafeBufferPointer { s in
            reference.images.data.withUnsafeBufferPointer { t in
                dots.withUnsafeMutableBufferPointer { o in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(m), blasint(d),
                                1, s.baseAddress, blasint(d), t.baseAddress, blasint(d), 0, o.baseAddress, blasint(m))
                }
            }
        }
        // |fl(s·t) - s·t| <= γ_D Σ|s_k t_k| <= γ_D ‖s‖‖t‖ with γ_D = D·u / (1 - D·u), u = 2⁻²⁴, for any
        // summation order (Higham, Accuracy and Stability, 3.1); the distance has 2 s·t in it. The
        // Double sums being compared carry a relative error near D·2⁻⁵³: 1e-9 covers it many times.
        let u = Double(Float.ulpOfOne) / 2, gamma = Double(d) * u / (1 - Double(d) * u)
        var best = [Float](repeating: 0, count: n), index = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let ns = sampleNorms[i]
            var lowest = Double.infinity
            var lower = [Double](repeating: 0, count: m)
            for j in 0..<m {
                let nt = reference.norms[j]
                let approx = ns * ns + nt * nt - 2 * Double(dots[i * m + j])
                let slack = 2 * gamma * ns * nt + 1e-9 * (ns * ns + nt * nt) + 1e-30
                lower[j] = approx - slack
                lowest = min(lowest, approx + slack)
            }
            guard lowest.isFinite else {
                // A non-finite sample (a diverged model): the plain search says what it always said.
                (best[i], index[i]) = exactSearch(samples, i, reference.images, candidates: 0..<m, dimension: d)
                continue
            }
            let candidates = (0..<m).filter { lower[$0] <= lowest }
            (best[i], index[i]) = exactSearch(samples, i, reference.images, candidates: candidates, dimension: d)
        }
        return Result(meanRMSE: best.reduce(0, +) / Float(n), perSample: best, nearestIndex: index)
    }

    /// (N, M, D) after checking both sets are (·,C,H,W) with the same C, H, W and not empty.
    static func check(_ samples: Tensor, _ training: Tensor) throws -> (Int, Int, Int) {
        guard samples.rank == 4, training.rank == 4, Array(samples.shape.dropFirst()) == Array(training.shape.dropFirst()) else {
            throw EngineError("nearest-neighbour RMSE: samples \(samples.shapeDescription) and training set \(training.shapeDescription) must both be (N,C,H,W) with the same C, H, W")
        }
        let n = samples.shape[0], m = training.shape[0]
        guard n > 0, m > 0 else {
            throw EngineError("nearest-neighbour RMSE: needs at least one sample and one training image, got N=\(n), M=\(m)")
        }
        return (n, m, samples.count / n)
    }

    /// Sample i's nearest image among `candidates` (ascending): Double sums over k in order, the
    /// first index on ties, a sum abandoned once it cannot win. Returns (RMSE, index).
    static func exactSearch<C: Sequence>(_ samples: Tensor, _ i: Int, _ training: Tensor, candidates: C, dimension d: Int) -> (Float, Int) where C.Element == Int {
        var bestSum = Double.infinity, bestJ = 0
        samples.data.withUnsafeBufferPointer { s in
            training.data.withUnsafeBufferPointer { tr in
                for j in candidates {
                    var sum = 0.0
                    for k in 0..<d {
                        let diff = Double(s[i * d + k]) - Double(tr[j * d + k])
                        sum += diff * diff
                        if sum >= bestSum { break }   // cannot win any more
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
