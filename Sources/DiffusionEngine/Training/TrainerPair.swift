import Foundation

/// Two training runs in lockstep, A and B: the same initial weights, and at every step the same
/// batch, crops, flips, timesteps and noise; only the named differences differ (`variableFields`:
/// the fix switches, the objective, the schedule, the learning rate).
///
/// Each step's randomness is drawn once, from A (`Trainer.drawStep()`: a function of the seed, the
/// step and the epoch sampler, which both runs share), and fed to A, then B. The two steps run one
/// after the other, each with the whole compute pool: a step is a chain of small GEMMs that the
/// pool already spreads over the cores, so running A and B side by side would only split the pool
/// and add a barrier; in sequence each run keeps about half its solo throughput, plus the draw it
/// no longer makes twice (measured in bench/RESULTS.md).
///
/// Resume: each run's checkpoint holds its step and sampler; two checkpoints written at the same
/// step (a milestone, a stop) resume to the same pair, so an interrupted pair and a straight one
/// produce the same losses and weights.
public final class TrainerPair {
    public let a: Trainer
    public let b: Trainer

    /// The options that may differ between A and B; the rest must match for the lockstep to hold
    /// (seed, batch, accumulation, augmentation and T shape the shared draw; the model config and
    /// seed give the identical initial weights).
    public static let variableFields: [(key: String, path: PartialKeyPath<TrainingOptions>)] = [
        ("fixes", \TrainingOptions.fixes), ("objective", \TrainingOptions.objective),
        ("schedule", \TrainingOptions.schedule), ("learningRate", \TrainingOptions.learningRate),
    ]

    /// Pairs two trainers that are at the same step, on the same images, with options that differ
    /// only in `variableFields`.
    /// - Throws: `EngineError` naming what does not match.
    public init(a: Trainer, b: Trainer) throws {
        let differing = Self.fixedFieldsDiffering(a.options, b.options)
        guard differing.isEmpty else {
            throw EngineError("A/B training: A and B must differ only in fix switches, objective, schedule and learning rate; they also differ in \(differing.joined(separator: ", "))")
        }
        guard a.step == b.step else {
            throw EngineError("A/B training: A is at step \(a.step) and B at step \(b.step); lockstep runs resume from checkpoints of the same step")
        }
        guard a.sampler == b.sampler, a.dataset.images == b.dataset.images else {
            throw EngineError("A/B training: A and B must train on the same images in the same order")
        }
        self.a = a
        self.b = b
    }

    /// A fresh pair: A with `a`'s options, B with `b`'s, both on `dataset`.
    public convenience init(a: TrainingOptions, b: TrainingOptions, dataset: TrainingSet) throws {
        try self.init(a: Trainer(options: a, dataset: dataset), b: Trainer(options: b, dataset: dataset))
    }

    /// Optimizer steps taken (the same in both).
    public var step: Int { a.step }

    /// What one lockstep step did, with each run's compute time.
    public struct StepResult: Sendable {
        public var a: Trainer.StepResult
        public var b: Trainer.StepResult
        /// Seconds of the shared draw, of A's step and of B's step.
        public var drawSeconds: Double
        public var aSeconds: Double
        public var bSeconds: Double
    }

    /// Which run of the pair.
    public enum Side: String, Sendable, CaseIterable {
        case a = "A", b = "B"
    }

    /// A step that could not be taken: which run failed and why (`Trainer`'s error: a non-finite
    /// loss or gradient). When B fails, A has already taken the step: the pair is no longer in
    /// lockstep, so the caller stops without saving over the last checkpoints (which are).
    public struct StepError: Error, CustomStringConvertible {
        public let side: Side
        public let error: Error
        public var description: String { "\(side.rawValue): \(error)" }
    }

    /// Draws the step's randomness once and takes it in A, then in B.
    /// - Throws: `StepError`.
    @discardableResult
    public func trainStep() throws(StepError) -> StepResult {
        let t0 = monotonicSeconds()
        let d = a.drawStep()
        let t1 = monotonicSeconds()
        let ra: Trainer.StepResult
        do { ra = try a.trainStep(drawn: d) } catch { throw StepError(side: .a, error: error) }
        let t2 = monotonicSeconds()
        let rb: Trainer.StepResult
        do { rb = try b.trainStep(drawn: d) } catch { throw StepError(side: .b, error: error) }
        let t3 = monotonicSeconds()
        return StepResult(a: ra, b: rb, drawSeconds: t1 - t0, aSeconds: t2 - t1, bSeconds: t3 - t2)
    }

    /// The keys of the options that differ between `a` and `b` outside `variableFields`
    /// (JSON keys of `TrainingOptions`, e.g. "batchSize").
    public static func fixedFieldsDiffering(_ a: TrainingOptions, _ b: TrainingOptions) -> [String] {
        var bb = b
        bb.fixes = a.fixes
        bb.objective = a.objective
        bb.schedule = a.schedule
        bb.learningRate = a.learningRate
        guard bb != a else { return [] }
        let enc = JSONEncoder()
        guard let ja = try? enc.encode(a), let jb = try? enc.encode(bb),
              let da = (try? JSONSerialization.jsonObject(with: ja)) as? [String: Any],
              let db = (try? JSONSerialization.jsonObject(with: jb)) as? [String: Any]
        else { return ["options"] }
        return da.keys.sorted().filter { key in
            let json = { (v: Any?) in v.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]) } }
            return json(da[key]) != json(db[key])
        }
    }

    /// B's differences from A in the `--fixes` key=value form plus the options' keys, e.g.
    /// "input=x0" or "loss=l2,lr=0.0003": what labels B in progress lines and verdicts.
    public static func label(a: TrainingOptions, b: TrainingOptions) -> String {
        var items = b.fixes.differences(from: a.fixes).map { $0.item(in: b.fixes) }
        if a.objective != b.objective { items.append("objective=\(b.objective.rawValue)") }
        if a.schedule != b.schedule { items.append("schedule=\(b.schedule.rawValue)") }
        if a.learningRate != b.learningRate { items.append("lr=\(b.learningRate)") }
        return items.isEmpty ? "same as A" : items.joined(separator: ",")
    }
}
