/// The course code's mistakes as switches: one field per switch, the first choice of each being
/// the fixed/default behaviour. Each field has one entry in the switch table (`FixSwitch.allCases`,
/// `FixSwitch+Table.swift`), which gives its names, checklist item, explanation, string form and
/// JSON key; the string form, the JSON form and `differences(from:)` are all read off that table.
///
/// A `FixSet` is stored in checkpoints and metrics (JSON through `Codable`), shown in the UI,
/// given on the command line in its compact string form (`FixSet(parsing:)`, `description`), and
/// two of them can run side by side on the same seed and noise (`FixComparison`).
///
/// FIX 2 of the checklist (the final checkpoint) is not a switch: the trainer always saves it.
public struct FixSet: Codable, Equatable, Hashable, Sendable {
    /// FIX 1: where `qSample` gets √ᾱ_t and √(1-ᾱ_t).
    public enum ForwardCoefficients: String, Codable, CaseIterable, Sendable {
        /// The precomputed `sqrtAlphasCumprod` / `sqrtOneMinusAlphasCumprod` buffers (fixed).
        case precomputed
        /// The course's original line: `extract(alphas_cumprod).sqrt()`, `extract(1 - alphas_cumprod).sqrt()`,
        /// i.e. √ taken in Float at call time. Mathematically the same numbers.
        case sqrtAtCallTime
        /// √ applied to the already-√ buffers: ᾱ^(1/4) and (1-ᾱ)^(1/4), the mistake the checklist feared.
        case sqrtOfSqrt
    }

    /// FIX 3: what the last reverse step (t = 0) returns.
    public enum FinalStep: String, Codable, CaseIterable, Sendable {
        /// The posterior mean μ̃ (Algorithm 2 with z = 0) (fixed).
        case posteriorMean
        /// The model's reconstruction x_recon (the course's original).
        case xRecon
    }

    /// OPT 2: what `pLosses` feeds the model.
    public enum LossInput: String, Codable, CaseIterable, Sendable {
        /// The noisy x_t (fixed).
        case xt
        /// The clean x_0 (the course's bug: the model never sees noise).
        case x0
    }

    /// OPT 1: how many schedule coefficients `pSample` extracts per step.
    public enum Extraction: String, Codable, CaseIterable, Sendable {
        /// Only the 5 it uses (fixed).
        case usedOnly
        /// Everything the course code extracted: the 5 used plus `alphas_cumprod`,
        /// `alphas_cumprod_prev` and `betas`, which it never used (same numbers, more work).
        /// The checklist calls these "9"; the code it quotes has 8 `extract` calls (5 + 3).
        case allNine
    }

    /// The variance σ_t² of a reverse step.
    public enum ReverseVariance: String, Codable, CaseIterable, Sendable {
        /// β̃_t, the posterior variance (default).
        case posterior
        /// β_t (the other choice of Ho et al. §3.2).
        case beta
    }

    /// The training loss between the model output and its target.
    public enum LossKind: String, Codable, CaseIterable, Sendable {
        /// Mean absolute error (the course's default).
        case l1
        /// Mean squared error (the paper's L_simple).
        case l2
    }

    public var forwardCoefficients: ForwardCoefficients = .precomputed
    public var finalStep: FinalStep = .posteriorMean
    public var lossInput: LossInput = .xt
    public var extraction: Extraction = .usedOnly
    /// Clamp the predicted x_0 to [-1, 1] before forming the posterior mean.
    public var clipXRecon: Bool = true
    public var reverseVariance: ReverseVariance = .posterior
    public var loss: LossKind = .l1

    public init(
        forwardCoefficients: ForwardCoefficients = .precomputed, finalStep: FinalStep = .posteriorMean,
        lossInput: LossInput = .xt, extraction: Extraction = .usedOnly, clipXRecon: Bool = true,
        reverseVariance: ReverseVariance = .posterior, loss: LossKind = .l1
    ) {
        self.forwardCoefficients = forwardCoefficients
        self.finalStep = finalStep
        self.lossInput = lossInput
        self.extraction = extraction
        self.clipXRecon = clipXRecon
        self.reverseVariance = reverseVariance
        self.loss = loss
    }

    /// Every switch on its first (fixed/default) choice.
    public static let fixed = FixSet()

    /// The course code before the checklist's fixes: √ at call time (FIX 1), x_recon at t = 0
    /// (FIX 3), the model fed x_0 (OPT 2), all 9 coefficients extracted (OPT 1), L1, clipping on.
    public static let course = FixSet(
        forwardCoefficients: .sqrtAtCallTime, finalStep: .xRecon, lossInput: .x0, extraction: .allNine,
        clipXRecon: true, reverseVariance: .posterior, loss: .l1)

    /// Named presets, as the compact string form spells them.
    public static let presets: [String: FixSet] = ["fixed": .fixed, "course": .course]

    /// The switches whose choice differs between `self` and `other`.
    public func differences(from other: FixSet) -> [FixSwitch] {
        FixSwitch.allCases.filter { $0.choiceIndex(in: self) != $0.choiceIndex(in: other) }
    }

    /// True when `self` and `other` differ in a switch that acts in `stage` (e.g. whether an A/B
    /// needs the forward-process comparison as well as the chains).
    public func differs(from other: FixSet, in stage: FixSwitch.Stage) -> Bool {
        differences(from: other).contains { $0.stages.contains(stage) }
    }

    /// Missing keys take their default, so checkpoints written before a switch existed still load;
    /// unknown keys are ignored, so a checkpoint written with a newer switch still loads here.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: FixSwitch.JSONKey.self)
        self.init()
        for s in FixSwitch.allCases { try s.decode(c, &self) }
    }

    /// Every switch under its field name, in table order (the keys and raw values that checkpoints
    /// have always held).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: FixSwitch.JSONKey.self)
        for s in FixSwitch.allCases { try s.encode(self, &c) }
    }
}
