/// One switch of a `FixSet`, with what the UI and the CLI need to show and set it.
///
/// Each switch has a short key for the compact string form (`fwd=precomputed,t0=mean,...`),
/// a display name, its choices (tokens for the string form, names for the screen; the first is
/// the fixed/default one), the checklist item it comes from and one sentence for the Help screen.
public enum FixSwitch: String, CaseIterable, Sendable {
    case forwardCoefficients, finalStep, lossInput, extraction, clipXRecon, reverseVariance, loss

    /// The key in the compact string form.
    public var key: String {
        switch self {
        case .forwardCoefficients: return "fwd"
        case .finalStep: return "t0"
        case .lossInput: return "input"
        case .extraction: return "extract"
        case .clipXRecon: return "clip"
        case .reverseVariance: return "var"
        case .loss: return "loss"
        }
    }

    /// The name shown on screen.
    public var displayName: String {
        switch self {
        case .forwardCoefficients: return "forward coefficients"
        case .finalStep: return "final step t=0"
        case .lossInput: return "model input in p_losses"
        case .extraction: return "coefficients extracted per step"
        case .clipXRecon: return "clip x_recon to [-1, 1]"
        case .reverseVariance: return "reverse variance"
        case .loss: return "loss"
        }
    }

    /// The choices' tokens in the compact string form, first = fixed/default.
    public var choiceTokens: [String] {
        switch self {
        case .forwardCoefficients: return ["precomputed", "sqrt-at-call", "sqrt-of-sqrt"]
        case .finalStep: return ["mean", "xrecon"]
        case .lossInput: return ["xt", "x0"]
        case .extraction: return ["5", "all"]
        case .clipXRecon: return ["on", "off"]
        case .reverseVariance: return ["posterior", "beta"]
        case .loss: return ["l1", "l2"]
        }
    }

    /// The choices' names on screen, in `choiceTokens` order.
    public var choiceNames: [String] {
        switch self {
        case .forwardCoefficients:
            return ["precomputed √ buffers", "√ at call time (original)", "√ of the √ buffers (4th root)"]
        case .finalStep: return ["posterior mean", "x_recon"]
        case .lossInput: return ["x_t", "x_0"]
        case .extraction: return ["only the 5 used", "all (5 used + 3 unused)"]
        case .clipXRecon: return ["on", "off"]
        case .reverseVariance: return ["posterior β̃", "β"]
        case .loss: return ["L1 (course)", "L2 (paper)"]
        }
    }

    /// The item of the course's fixes checklist, or "—" for switches it does not list.
    public var checklistItem: String {
        switch self {
        case .forwardCoefficients: return "FIX 1"
        case .finalStep: return "FIX 3"
        case .lossInput: return "OPT 2"
        case .extraction: return "OPT 1"
        case .clipXRecon, .reverseVariance, .loss: return "—"
        }
    }

    /// One sentence for the Help screen.
    public var explanation: String {
        switch self {
        case .forwardCoefficients:
            return "Where q_sample gets √ᾱ_t and √(1-ᾱ_t): the precomputed buffers, √ of ᾱ taken at call time as the course code did (the same numbers up to float rounding), or √ of the already-√ buffers, a 4th root that adds far too little noise."
        case .finalStep:
            return "What the last reverse step returns: the posterior mean (Algorithm 2 with z = 0) or the model's x_recon; at t=0 coef1 = 1 and coef2 = 0, so the two agree up to float rounding."
        case .lossInput:
            return "What p_losses feeds the model: the noisy x_t, or the clean x_0 as in the course bug, so the model never sees noise and cannot learn to remove it."
        case .extraction:
            return "How many schedule coefficients p_sample gathers per step: the 5 it uses, or also the 3 unused ones as the course did (the checklist says 9, its code shows 8); the images are identical and only the time differs."
        case .clipXRecon:
            return "Whether the predicted x_0 is clamped to [-1, 1] before the posterior mean is formed; it only matters when the prediction leaves that range."
        case .reverseVariance:
            return "The variance of each reverse step: the posterior β̃_t or β_t, the two choices of Ho et al. (§3.2), which differ most at small t."
        case .loss:
            return "The training loss between the model output and its target: L1 (the course's choice) or L2, the mean squared error of the paper's L_simple."
        }
    }

    /// The index (into `choiceTokens`) of this switch's choice in `fixes`.
    public func choiceIndex(in fixes: FixSet) -> Int {
        switch self {
        case .forwardCoefficients: return FixSet.ForwardCoefficients.allCases.firstIndex(of: fixes.forwardCoefficients)!
        case .finalStep: return FixSet.FinalStep.allCases.firstIndex(of: fixes.finalStep)!
        case .lossInput: return FixSet.LossInput.allCases.firstIndex(of: fixes.lossInput)!
        case .extraction: return FixSet.Extraction.allCases.firstIndex(of: fixes.extraction)!
        case .clipXRecon: return fixes.clipXRecon ? 0 : 1
        case .reverseVariance: return FixSet.ReverseVariance.allCases.firstIndex(of: fixes.reverseVariance)!
        case .loss: return FixSet.LossKind.allCases.firstIndex(of: fixes.loss)!
        }
    }

    /// Sets this switch in `fixes` to choice `index` (0..<choiceTokens.count).
    public func setChoice(_ index: Int, in fixes: inout FixSet) {
        precondition(index >= 0 && index < choiceTokens.count, "FixSwitch \(key): choice \(index) outside 0..<\(choiceTokens.count)")
        switch self {
        case .forwardCoefficients: fixes.forwardCoefficients = FixSet.ForwardCoefficients.allCases[index]
        case .finalStep: fixes.finalStep = FixSet.FinalStep.allCases[index]
        case .lossInput: fixes.lossInput = FixSet.LossInput.allCases[index]
        case .extraction: fixes.extraction = FixSet.Extraction.allCases[index]
        case .clipXRecon: fixes.clipXRecon = index == 0
        case .reverseVariance: fixes.reverseVariance = FixSet.ReverseVariance.allCases[index]
        case .loss: fixes.loss = FixSet.LossKind.allCases[index]
        }
    }

    /// `fixes` with this switch moved to its next choice (wrapping), for a key press in the UI.
    public func cycled(_ fixes: FixSet) -> FixSet {
        var f = fixes
        setChoice((choiceIndex(in: fixes) + 1) % choiceTokens.count, in: &f)
        return f
    }

    /// The switch with this compact-form key, if any.
    public init?(key: String) {
        guard let s = FixSwitch.allCases.first(where: { $0.key == key }) else { return nil }
        self = s
    }
}
