/// The measured verdict on an A/B training pair, in one line, from the two loss curves and the
/// latest milestone's sample metrics: "B (input=x0) does not learn: its loss plateaus at 0.8
/// (A 0.06); B's samples are worse: nn-RMSE 1.02 vs A 0.34 (SWD 9.1 vs 4) at step 2000".
///
/// The rules (numbers in `Rules`):
/// - **smoothed loss** at step i: the mean of the last `window` finite losses up to i (the window
///   shrinks to a quarter of the run for short runs). `start` is the smoothed loss after the first
///   window, `end` the one at the last step.
/// - **plateau**: the smoothed loss changed by less than `plateauTolerance` (relative) over the
///   last `plateauSpan` steps (at most half the run).
/// - **learns**: the smoothed loss fell by at least `learnDrop` of its start. A run that fell that
///   far still **does not learn** when the two losses are on one scale (same loss kind and
///   objective), it has plateaued, and its end is above `stuckRatio` times the other's.
/// - both learn, one scale: B learns **more slowly** (faster) when its end is above `slowerRatio`
///   times A's (A's above B's); otherwise **alike**. On two scales (L1 vs L2, two objectives) the
///   losses are not compared, only each run's drop.
/// - **identical**: the two curves are equal at every step (a switch that acts in sampling only).
/// - samples: B's are **worse** (better) when its nn-RMSE is above (below) A's by more than
///   `sampleMargin` relative; otherwise **alike**. Both nn-RMSE and SWD are printed.
/// - fewer than `minSteps` losses: too early to tell.
public struct ABVerdict: Sendable, Equatable {
    public struct Rules: Sendable, Equatable {
        public var window = 50
        public var plateauSpan = 200
        public var plateauTolerance: Float = 0.05
        public var learnDrop: Float = 0.3
        public var stuckRatio: Float = 3
        public var slowerRatio: Float = 1.5
        public var sampleMargin: Float = 0.15
        public var minSteps = 20
        public init() {}
    }

    /// What a loss curve did, measured by the rules.
    public struct Curve: Sendable, Equatable {
        /// Finite losses measured.
        public let steps: Int
        /// Smoothed loss after the first window, at the last step, and `span` steps before the last.
        public let start: Float
        public let end: Float
        public let earlier: Float
        public let span: Int

        public init(losses: [Float], rules: Rules = Rules()) {
            let l = losses.filter(\.isFinite)
            steps = l.count
            let w = max(1, min(rules.window, l.count / 4))
            func smoothed(at i: Int) -> Float {
                guard i >= 0, i < l.count else { return .nan }
                let lo = max(0, i - w + 1)
                return l[lo...i].reduce(0, +) / Float(i - lo + 1)
            }
            span = max(1, min(rules.plateauSpan, l.count / 2))
            start = smoothed(at: w - 1)
            end = smoothed(at: l.count - 1)
            earlier = smoothed(at: l.count - 1 - span)
        }

        /// How much of its start the smoothed loss lost (0.9: it fell to a tenth).
        public var drop: Float { 1 - end / start }
        /// Relative change of the smoothed loss over the last `span` steps.
        public var recentChange: Float { (end - earlier) / earlier }
        public func plateaued(_ r: Rules) -> Bool { abs(recentChange) < r.plateauTolerance }
    }

    public struct Samples: Sendable, Equatable {
        public var step: Int
        public var nnRMSEA: Float, nnRMSEB: Float
        public var swdA: Float?, swdB: Float?
        public init(step: Int, nnRMSEA: Float, nnRMSEB: Float, swdA: Float? = nil, swdB: Float? = nil) {
            (self.step, self.nnRMSEA, self.nnRMSEB, self.swdA, self.swdB) = (step, nnRMSEA, nnRMSEB, swdA, swdB)
        }
    }

    public enum Finding: String, Sendable, Equatable {
        case tooEarly, identical, diverged, bDoesNotLearn, aDoesNotLearn, neitherLearns
        case bSlower, bFaster, alike, bothLearnOnTwoScales
    }

    public enum SampleFinding: String, Sendable, Equatable { case worse, better, alike }

    public let finding: Finding
    public let samples: SampleFinding?
    public let a: Curve
    public let b: Curve
    /// The whole verdict, one line.
    public let text: String

    /// - Parameters:
    ///   - a, b: each step's loss, first step first.
    ///   - label: B's differences from A ("input=x0").
    ///   - scales: nil when the two losses are on one scale; else why not ("B's loss is L2, A's L1").
    ///   - samples: the latest milestone's metrics of both runs (the same step), if any.
    ///   - diverged: the run whose loss became non-finite, the step and the message.
    public init(a la: [Float], b lb: [Float], label: String, scales: String? = nil, samples: Samples? = nil,
                diverged: (side: String, step: Int)? = nil, rules r: Rules = Rules()) {
        a = Curve(losses: la, rules: r)
        b = Curve(losses: lb, rules: r)
        let f = { (x: Float) in Self.format(x) }
        let name = "B (\(label))"
        var findingValue: Finding
        var words: String
        if let diverged {
            let other = diverged.side == "A" ? b : a
            findingValue = .diverged
            words = "\(diverged.side == "A" ? "A" : name) diverges: its loss is not finite at step \(diverged.step)"
                + (other.steps > 0 ? " (\(diverged.side == "A" ? "B" : "A")'s smoothed loss \(f(other.end)))" : "")
        } else if min(a.steps, b.steps) < r.minSteps {
            findingValue = .tooEarly
            words = "too early to tell: \(min(a.steps, b.steps)) steps (the verdict needs \(r.minSteps))"
        } else if la == lb {
            findingValue = .identical
            words = "\(name) trains exactly as A: the same loss at every one of \(la.count) steps"
        } else {
            let oneScale = scales == nil
            func learns(_ x: Curve, _ y: Curve) -> Bool {
                guard x.drop >= r.learnDrop else { return false }
                return !(oneScale && x.plateaued(r) && x.end > r.stuckRatio * y.end)
            }
            func stuck(_ x: Curve, _ who: String, _ other: Curve, _ otherName: String) -> String {
                (x.plateaued(r) ? "\(who) loss plateaus at \(f(x.end))" : "\(who) smoothed loss fell only \(Self.percent(x.drop)) (\(f(x.start)) → \(f(x.end)))")
                    + (oneScale ? " (\(otherName) \(f(other.end)))" : " (\(otherName)'s fell \(Self.percent(other.drop)), \(f(other.start)) → \(f(other.end)))")
            }
            switch (learns(a, b), learns(b, a)) {
            case (true, false):
                findingValue = .bDoesNotLearn
                words = "\(name) does not learn: " + stuck(b, "its", a, "A")
            case (false, true):
                findingValue = .aDoesNotLearn
                words = "A does not learn but \(name) does: " + stuck(a, "A's", b, "B")
            case (false, false):
                findingValue = .neitherLearns
                words = "neither run learns yet: smoothed loss A \(f(a.start)) → \(f(a.end)), \(name) \(f(b.start)) → \(f(b.end))"
            case (true, true):
                if let scales {
                    findingValue = .bothLearnOnTwoScales
                    words = "both learn (\(scales), so the losses are not compared): smoothed loss fell \(Self.percent(b.drop)) in \(name) (\(f(b.start)) → \(f(b.end))), \(Self.percent(a.drop)) in A (\(f(a.start)) → \(f(a.end)))"
                } else if b.end > r.slowerRatio * a.end {
                    findingValue = .bSlower
                    words = "\(name) learns more slowly: smoothed loss \(f(b.end)) vs A \(f(a.end)) (\(f(b.end / a.end))×)"
                } else if a.end > r.slowerRatio * b.end {
                    findingValue = .bFaster
                    words = "\(name) learns faster: smoothed loss \(f(b.end)) vs A \(f(a.end)) (\(f(b.end / a.end))×)"
                } else {
                    findingValue = .alike
                    words = "\(name) learns as A does: smoothed loss \(f(b.end)) vs A \(f(a.end))"
                }
            }
        }
        var sampleValue: SampleFinding?
        if let s = samples, s.nnRMSEA.isFinite, s.nnRMSEB.isFinite {
            let g = { (x: Float) in Self.format(x, digits: 3) }
            let swd = s.swdA.flatMap { sa in s.swdB.map { " (SWD \(g($0)) vs \(g(sa)))" } } ?? ""
            let figures = "nn-RMSE \(g(s.nnRMSEB)) vs A \(g(s.nnRMSEA))\(swd) at step \(s.step)"
            if s.nnRMSEB > (1 + r.sampleMargin) * s.nnRMSEA {
                sampleValue = .worse
                words += "; B's samples are worse: " + figures
            } else if s.nnRMSEB < s.nnRMSEA / (1 + r.sampleMargin) {
                sampleValue = .better
                words += "; B's samples are better: " + figures
            } else {
                sampleValue = .alike
                words += "; B's samples are like A's: " + figures
            }
        }
        finding = findingValue
        self.samples = sampleValue
        text = words
    }

    /// Why two runs' losses are on different scales, or nil: "B's loss is L2, A's L1".
    public static func scales(a: TrainingOptions, b: TrainingOptions) -> String? {
        var parts: [String] = []
        if a.fixes.loss != b.fixes.loss { parts.append("B's loss is \(b.fixes.loss.rawValue.uppercased()), A's \(a.fixes.loss.rawValue.uppercased())") }
        if a.objective != b.objective { parts.append("B predicts \(b.objective.rawValue), A \(a.objective.rawValue)") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// Two significant digits ("0.8", "0.061").
    static func format(_ x: Float, digits: Int = 2) -> String { FixComparison.format(x, digits: digits) }

    /// "92%".
    static func percent(_ x: Float) -> String { x.isFinite ? "\(Int((x * 100).rounded()))%" : "?" }
}
