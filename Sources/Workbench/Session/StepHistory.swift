import Foundation

/// A whole run's per-step series (the loss, and the running loss of each timestep bucket) at a
/// bounded size, so a snapshot stays cheap to copy at step 100,000.
///
/// Steps go into bins of `binWidth` consecutive steps, aligned on step 1 (bin k holds steps
/// k·w+1 ... (k+1)·w). The width is 1 until the run outgrows `capacity` bins; then neighbouring
/// bins merge and the width doubles, so a run of any length keeps between capacity/2 and capacity
/// bins. Appending is O(1) amortised. A bin keeps the min, max and mean of its finite losses, the
/// smoothed loss at its last step, and the mean of each bucket's logged value (NaN ones skipped).
///
/// "Smoothed" is the Train screen's: a bias-corrected EMA with decay 0.98 over the finite losses
/// (`TrainScreen.smoothed`), carried along step by step.
public struct StepHistory: Sendable, Equatable {
    public struct Bin: Sendable, Equatable {
        /// The first and last step that went into the bin.
        public var firstStep: Int
        public var lastStep: Int
        /// Finite losses in the bin, their sum, min and max.
        public var count: Int
        public var sum: Double
        public var min: Float
        public var max: Float
        /// The smoothed loss after `lastStep` (NaN before the first finite loss).
        public var smoothed: Double

        public var mean: Double { count > 0 ? sum / Double(count) : .nan }
    }

    /// One column of a downsampled chart: what the steps it covers logged.
    public struct Column: Sendable, Equatable {
        public var min: Double
        public var max: Double
        public var mean: Double
        /// The smoothed loss at the column's last step.
        public var smoothed: Double

        static let empty = Column(min: .nan, max: .nan, mean: .nan, smoothed: .nan)
    }

    public static let defaultCapacity = 2048
    public static let emaDecay = 0.98

    public let capacity: Int
    /// Timestep buckets per step (the trainer's 10; set by the first step that has any).
    public private(set) var bucketCount: Int
    /// Steps per bin: a power of two.
    public private(set) var binWidth = 1
    public private(set) var bins: [Bin] = []
    /// Per bin and bucket, (bins, bucketCount) row-major: the sum and count of the finite values.
    private var bucketSums: [Float] = []
    private var bucketCounts: [Int32] = []
    private var ema = 0.0, emaWeight = 0.0
    /// Whether any step logged a finite bucket value (a checkpoint's plain losses have none).
    public private(set) var hasBucketValues = false

    public init(capacity: Int = defaultCapacity, bucketCount: Int = 0) {
        self.capacity = Swift.max(2, capacity)
        self.bucketCount = Swift.max(0, bucketCount)
    }

    /// A history of plain losses (a checkpoint's `loss_history`), steps 1...n, no bucket values.
    public init(losses: [Float], capacity: Int = defaultCapacity, bucketCount: Int = 0) {
        self.init(capacity: capacity, bucketCount: bucketCount)
        for (i, l) in losses.enumerated() { append(step: i + 1, loss: l) }
    }

    public var isEmpty: Bool { bins.isEmpty }
    /// The newest step recorded (0 before any).
    public var lastStep: Int { bins.last?.lastStep ?? 0 }
    /// The smoothed loss after the newest step (nil before a finite loss).
    public var smoothed: Double? { emaWeight > 0 ? ema / emaWeight : nil }

    /// Records one step. Steps at or below `lastStep` are ignored (a history only grows; a reader
    /// that goes back, after a resume, builds a new one).
    /// - Parameters:
    ///   - loss: NaN or infinite for a step whose loss was not finite (it counts in no statistic).
    ///   - buckets: the running loss per timestep bucket after the step (NaN where none yet).
    public mutating func append(step: Int, loss: Float, buckets: [Float] = []) {
        guard step > lastStep else { return }
        if bucketCount == 0 && !buckets.isEmpty {
            // The first step with buckets (after plain losses, say) sets their number.
            bucketCount = buckets.count
            bucketSums = Array(repeating: 0, count: bins.count * bucketCount)
            bucketCounts = Array(repeating: 0, count: bins.count * bucketCount)
        }
        if loss.isFinite {
            ema = Self.emaDecay * ema + (1 - Self.emaDecay) * Double(loss)
            emaWeight = Self.emaDecay * emaWeight + (1 - Self.emaDecay)
        }
        let smoothed = self.smoothed ?? .nan
        if let last = bins.last, (last.firstStep - 1) / binWidth == (step - 1) / binWidth {
            var b = last
            b.lastStep = step
            b.smoothed = smoothed
            if loss.isFinite { b.add(loss) }
            bins[bins.count - 1] = b
        } else {
            var b = Bin(firstStep: step, lastStep: step, count: 0, sum: 0, min: .nan, max: .nan, smoothed: smoothed)
            if loss.isFinite { b.add(loss) }
            bins.append(b)
            bucketSums += repeatElement(0, count: bucketCount)
            bucketCounts += repeatElement(0, count: bucketCount)
        }
        let base = (bins.count - 1) * bucketCount
        for (k, v) in buckets.prefix(bucketCount).enumerated() where v.isFinite {
            bucketSums[base + k] += v
            bucketCounts[base + k] += 1
            hasBucketValues = true
        }
        if bins.count > capacity { halve() }
    }

    /// Doubles the bin width: bins that now share an index merge.
    private mutating func halve() {
        binWidth *= 2
        var merged: [Bin] = [], sums: [Float] = [], counts: [Int32] = []
        merged.reserveCapacity(capacity / 2 + 1)
        for (i, b) in bins.enumerated() {
            let src = i * bucketCount
            if let last = merged.last, (last.firstStep - 1) / binWidth == (b.firstStep - 1) / binWidth {
                merged[merged.count - 1].absorb(b)
                let dst = (merged.count - 1) * bucketCount
                for k in 0..<bucketCount {
                    sums[dst + k] += bucketSums[src + k]
                    counts[dst + k] += bucketCounts[src + k]
                }
            } else {
                merged.append(b)
                sums += bucketSums[src..<src + bucketCount]
                counts += bucketCounts[src..<src + bucketCount]
            }
        }
        (bins, bucketSums, bucketCounts) = (merged, sums, counts)
    }

    /// The mean logged value of `bucket` over bin `index` (NaN when it logged none).
    public func bucketMean(bin index: Int, bucket: Int) -> Double {
        let i = index * bucketCount + bucket
        return bucketCounts[i] > 0 ? Double(bucketSums[i]) / Double(bucketCounts[i]) : .nan
    }

    /// The column (of `count` spread over steps 1...`steps`) a bin falls in: the one of its first step.
    static func column(of bin: Bin, count: Int, steps: Int) -> Int {
        Swift.min(count - 1, (bin.firstStep - 1) * count / Swift.max(steps, 1))
    }

    /// How many columns a chart `width` columns wide gets over steps 1...`steps` (default: this
    /// run's): no more than the steps (a short run is not spread with gaps), nor than a long run
    /// keeps bins (capacity/2); 0 for no width.
    public func columnCount(atMost width: Int, steps: Int? = nil) -> Int {
        width > 0 ? Swift.max(1, Swift.min(width, steps ?? lastStep, capacity / 2)) : 0
    }

    /// The loss downsampled to `columnCount(atMost: width, steps: steps)` columns.
    public func lossColumns(atMost width: Int, steps: Int? = nil) -> [Column] {
        lossColumns(columnCount(atMost: width, steps: steps), steps: steps)
    }

    /// The loss downsampled to `count` columns spread evenly over steps 1...`steps` (default: this
    /// run's); columns past the run's last step, or holding no finite loss, are NaN.
    public func lossColumns(_ count: Int, steps: Int? = nil) -> [Column] {
        guard count > 0 else { return [] }
        let steps = steps ?? lastStep
        var out = [Column](repeating: .empty, count: count)
        var counts = [Int](repeating: 0, count: count)
        for b in bins where b.firstStep <= steps {
            let c = Self.column(of: b, count: count, steps: steps)
            if b.count > 0 {
                let lo = Double(b.min), hi = Double(b.max)
                out[c].min = counts[c] == 0 ? lo : Swift.min(out[c].min, lo)
                out[c].max = counts[c] == 0 ? hi : Swift.max(out[c].max, hi)
                out[c].mean = (counts[c] == 0 ? 0 : out[c].mean) + b.sum
                counts[c] += b.count
            }
            out[c].smoothed = b.smoothed
        }
        for c in 0..<count where counts[c] > 0 { out[c].mean /= Double(counts[c]) }
        return out
    }

    /// Each bucket's logged value averaged into `count` columns over steps 1...`steps` (default:
    /// this run's): (bucketCount, count) row-major, NaN where a column has none.
    public func bucketColumns(_ count: Int, steps: Int? = nil) -> [Double] {
        guard count > 0, bucketCount > 0 else { return [] }
        let steps = steps ?? lastStep
        var sums = [Double](repeating: 0, count: bucketCount * count)
        var counts = [Int32](repeating: 0, count: bucketCount * count)
        for (i, b) in bins.enumerated() where b.firstStep <= steps {
            let c = Self.column(of: b, count: count, steps: steps)
            for k in 0..<bucketCount where bucketCounts[i * bucketCount + k] > 0 {
                sums[k * count + c] += Double(bucketSums[i * bucketCount + k])
                counts[k * count + c] += bucketCounts[i * bucketCount + k]
            }
        }
        return zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : .nan }
    }
}

extension StepHistory.Bin {
    mutating func add(_ loss: Float) {
        min = count == 0 ? loss : Swift.min(min, loss)
        max = count == 0 ? loss : Swift.max(max, loss)
        sum += Double(loss)
        count += 1
    }

    /// Takes in the next bin (its steps follow this one's).
    mutating func absorb(_ next: Self) {
        if next.count > 0 {
            min = count == 0 ? next.min : Swift.min(min, next.min)
            max = count == 0 ? next.max : Swift.max(max, next.max)
        }
        sum += next.sum
        count += next.count
        lastStep = next.lastStep
        smoothed = next.smoothed
    }
}
