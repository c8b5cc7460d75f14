/// The table of switches: one entry per `FixSet` field, in the order the string form, the JSON,
/// the Compare screen (keys 1, 2, …) and the Help screen list them. Everything else about a
/// switch is derived from its entry.
extension FixSwitch {
    public static let allCases: [FixSwitch] = [
        forwardCoefficients, finalStep, lossInput, extraction, clipXRecon, reverseVariance, loss,
    ]

    public static let forwardCoefficients = FixSwitch(
        \.forwardCoefficients, field: "forwardCoefficients", key: "fwd", displayName: "forward coefficients",
        choices: [
            (.precomputed, "precomputed", "precomputed √ buffers"),
            (.sqrtAtCallTime, "sqrt-at-call", "√ at call time (original)"),
            (.sqrtOfSqrt, "sqrt-of-sqrt", "√ of the √ buffers (4th root)"),
        ],
        checklistItem: "FIX 1", stages: [.forwardProcess, .training],
        explanation: "Where q_sample gets √ᾱ_t and √(1-ᾱ_t): the precomputed buffers, √ of ᾱ taken at call time as the course code did (the same numbers up to float rounding), or √ of the already-√ buffers, a 4th root that adds far too little noise.")

    public static let finalStep = FixSwitch(
        \.finalStep, field: "finalStep", key: "t0", displayName: "final step t=0",
        choices: [(.posteriorMean, "mean", "posterior mean"), (.xRecon, "xrecon", "x_recon")],
        checklistItem: "FIX 3", stages: [.ddpmStep],
        explanation: "What the last reverse step returns: the posterior mean (Algorithm 2 with z = 0) or the model's x_recon; at t=0 coef1 = 1 and coef2 = 0, so the two agree up to float rounding.")

    public static let lossInput = FixSwitch(
        \.lossInput, field: "lossInput", key: "input", displayName: "model input in p_losses",
        choices: [(.xt, "xt", "x_t"), (.x0, "x0", "x_0")],
        checklistItem: "OPT 2", stages: [.training],
        explanation: "What p_losses feeds the model: the noisy x_t, or the clean x_0 as in the course bug, so the model never sees noise and cannot learn to remove it.")

    public static let extraction = FixSwitch(
        \.extraction, field: "extraction", key: "extract", displayName: "coefficients extracted per step",
        choices: [(.usedOnly, "5", "only the 5 used"), (.allNine, "all", "all (5 used + 3 unused)")],
        checklistItem: "OPT 1", stages: [.ddpmStep],
        explanation: "How many schedule coefficients p_sample gathers per step: the 5 it uses, or also the 3 unused ones as the course did (the checklist says 9, its code shows 8); the images are identical and only the time differs.")

    public static let clipXRecon = FixSwitch(
        \.clipXRecon, field: "clipXRecon", key: "clip", displayName: "clip x_recon to [-1, 1]",
        choices: [(true, "on", "on"), (false, "off", "off")],
        stages: [.ddpmStep, .ddimStep],
        explanation: "Whether the predicted x_0 is clamped to [-1, 1] before the posterior mean is formed; it only matters when the prediction leaves that range.")

    public static let reverseVariance = FixSwitch(
        \.reverseVariance, field: "reverseVariance", key: "var", displayName: "reverse variance",
        choices: [(.posterior, "posterior", "posterior β̃"), (.beta, "beta", "β")],
        stages: [.ddpmStep],
        explanation: "The variance of each reverse step: the posterior β̃_t or β_t, the two choices of Ho et al. (§3.2), which differ most at small t.")

    public static let loss = FixSwitch(
        \.loss, field: "loss", key: "loss", displayName: "loss",
        choices: [(.l1, "l1", "L1 (course)"), (.l2, "l2", "L2 (paper)")],
        stages: [.training],
        explanation: "The training loss between the model output and its target: L1 (the course's choice) or L2, the mean squared error of the paper's L_simple.")
}
