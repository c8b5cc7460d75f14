/// The memorisation check: how close each generated sample is to its nearest training image.
///
/// RMSE(a, b) = √(mean over C·H·W of (a - b)²), in the images' [-1, 1] units (so 2 is the largest
/// possible, 0 a pixel-exact copy). A model that reproduces its training set drives the mean
/// nearest-neighbour RMSE towards 0; for reference, uniform noise in [-1, 1] against a zero image
/// scores √(1/3) ≈ 0.577.
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

    /// Nearest-neighbour RMSE of every sample to a training set (exact search, Double sums).
    /// - Parameters:
    ///   - samples: (N,C,H,W).
    ///   - training: (M,C,H,W), the same C, H, W.
    /// - Throws: `EngineError` when the shapes differ or a set is empty.
    public static func compute(samples: Tensor, training: Tensor) throws -> Result {
        guard samples.rank == 4, training.rank == 4, Array(samples.shape.dropFirst()) == Array(training.shape.dropFirst()) else {
            throw EngineError("nearest-neighbour RMSE: samples \(samples.shapeDescription) and training set \(training.shapeDescription) must both be (N,C,H,W) with the same C, H, W")
        }
        let n = samples.shape[0], m = training.shape[0]
        guard n > 0, m > 0 else {
            throw EngineError("nearest-neighbour RMSE: needs at least one sample and one training image, got N=\(n), M=\(m)")
        }
        let d = samples.count / n
        var best = [Float](repeating: 0, count: n), index = [Int](repeating: 0, count: n)
        samples.data.withUnsafeBufferPointer { s in
            training.data.withUnsafeBufferPointer { tr in
                for i in 0..<n {
                    var bestSum = Double.infinity, bestJ = 0
                    for j in 0..<m {
                        var sum = 0.0
                        for k in 0..<d {
                            let diff = Double(s[i * d + k]) - Double(tr[j * d + k])
                            sum += diff * diff
                            if sum >= bestSum { break }   // cannot win any more
                        }
                        if sum < bestSum { bestSum = sum; bestJ = j }
                    }
                    best[i] = Float((bestSum / Double(d)).squareRoot())
                    index[i] = bestJ
                }
            }
        }
        return Result(meanRMSE: best.reduce(0, +) / Float(n), perSample: best, nearestIndex: index)
    }
}
