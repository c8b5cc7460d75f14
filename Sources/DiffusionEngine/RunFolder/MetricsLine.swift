import Foundation

/// One line of a run folder's `metrics.jsonl` (docs/run-folder.md), typed.
public enum MetricsLine: Sendable, Equatable {
    case step(StepLine)
    case event(EventLine)

    /// A step line: what one optimizer step measured.
    public struct StepLine: Sendable, Equatable {
        public var step: Int
        /// nil when the writer logged a non-finite loss (`null`).
        public var loss: Float?
        public var gradNorm: Float?
        public var learningRate: Float?
        public var imagesPerSecond: Double?
        public var wallTime: Double?
        /// Running mean loss per timestep bucket; NaN where the writer wrote null.
        public var bucketLoss: [Float]
        /// The loss's named terms (a VAE's "reconstruction", "kl", "kl_weight", "rmse"): every
        /// other number the line holds.
        public var terms: [String: Float] = [:]
    }

    /// The keys every step line has; any other number on it is a loss term.
    static let stepKeys: Set<String> = ["step", "loss", "grad_norm", "lr", "images_per_s", "wall_time", "step_seconds", "loss_by_t_bucket"]

    /// An event line: start, resume, checkpoint, milestone, final, diverged (or one a newer
    /// writer adds: kept, with its name, so readers can ignore it).
    public struct EventLine: Sendable, Equatable {
        public var event: String
        public var step: Int
        public var wallTime: Double?
        /// start/resume: who writes the folder.
        public var writer: String?
        public var worldSize: Int?
        public var device: String?
        /// start/resume: the run's training options (model, schedule, steps, ...), so a reader
        /// knows the run before its first checkpoint.
        public var options: TrainingOptions?
        /// resume: the checkpoint resumed from; checkpoint: its path.
        public var checkpoint: String?
        /// milestone/final: the grid and its quality.
        public var samples: String?
        public var sampler: String?
        public var nnRMSE: Float?
        public var swd: Float?
        /// final (skipped grid), diverged.
        public var note: String?
    }

    /// Parses one line (without its newline). - Returns: nil for a line that is not a JSON object
    /// with an integer `step` (blank, damaged, or not ours): readers skip it.
    public init?(json text: Substring) {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data),
              let o = object as? [String: Any],
              let step = Self.int(o["step"]) else { return nil }
        if let name = o["event"] as? String {
            self = .event(EventLine(
                event: name, step: step, wallTime: Self.double(o["wall_time"]), writer: o["writer"] as? String,
                worldSize: Self.int(o["world_size"]), device: o["device"] as? String, options: Self.options(o["options"]),
                checkpoint: (o["checkpoint"] as? String) ?? (o["path"] as? String),
                samples: o["samples"] as? String, sampler: o["sampler"] as? String,
                nnRMSE: Self.double(o["nn_rmse"]).map(Float.init), swd: Self.double(o["swd"]).map(Float.init),
                note: (o["note"] as? String) ?? (o["message"] as? String)))
        } else {
            self = .step(StepLine(
                step: step, loss: Self.double(o["loss"]).map(Float.init), gradNorm: Self.double(o["grad_norm"]).map(Float.init),
                learningRate: Self.double(o["lr"]).map(Float.init), imagesPerSecond: Self.double(o["images_per_s"]),
                wallTime: Self.double(o["wall_time"]),
                bucketLoss: (o["loss_by_t_bucket"] as? [Any])?.map { Self.double($0).map(Float.init) ?? .nan } ?? [],
                terms: o.filter { !Self.stepKeys.contains($0.key) }.compactMapValues { Self.double($0).map(Float.init) }))
        }
    }

    public var step: Int {
        switch self {
        case .step(let s): return s.step
        case .event(let e): return e.step
        }
    }

    /// JSON numbers arrive as NSNumber (Int or Double); null and anything else as nil. (No `is Bool`
    /// test: on Linux an NSNumber 0 or 1 also casts to Bool, and no protocol number is a bool.)
    static func double(_ v: Any?) -> Double? {
        (v as? NSNumber)?.doubleValue
    }

    static func options(_ v: Any?) -> TrainingOptions? {
        guard let v, JSONSerialization.isValidJSONObject(v), let data = try? JSONSerialization.data(withJSONObject: v) else { return nil }
        return try? JSONDecoder().decode(TrainingOptions.self, from: data)
    }

    static func int(_ v: Any?) -> Int? {
        guard let d = double(v), d.rounded() == d, abs(d) < 1e15 else { return nil }
        return Int(d)
    }
}
