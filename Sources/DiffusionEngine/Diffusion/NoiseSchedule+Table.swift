/// The schedule as a table of named columns, with the course code's snake_case names
/// (`ddpm schedule --csv` prints it; the PyTorch twin's fixture uses the same names).
extension NoiseSchedule {
    /// Column names in table order (the course's buffer names plus `log_snr`).
    public static let bufferNames: [String] = [
        "betas", "alphas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
        "sqrt_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
        "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1",
        "posterior_mean_coef2", "log_snr",
    ]

    /// One buffer by its snake_case name, or nil for an unknown name.
    public func buffer(named name: String) -> [Float]? {
        switch name {
        case "betas": return betas
        case "alphas": return alphas
        case "alphas_cumprod": return alphasCumprod
        case "alphas_cumprod_prev": return alphasCumprodPrev
        case "sqrt_alphas_cumprod": return sqrtAlphasCumprod
        case "sqrt_one_minus_alphas_cumprod": return sqrtOneMinusAlphasCumprod
        case "sqrt_recip_alphas_cumprod": return sqrtRecipAlphasCumprod
        case "sqrt_recipm1_alphas_cumprod": return sqrtRecipm1AlphasCumprod
        case "posterior_variance": return posteriorVariance
        case "posterior_log_variance_clipped": return posteriorLogVarianceClipped
        case "posterior_mean_coef1": return posteriorMeanCoef1
        case "posterior_mean_coef2": return posteriorMeanCoef2
        case "log_snr": return logSNR
        default: return nil
        }
    }

    /// All columns in `bufferNames` order, each of shape (T,).
    public var table: [(name: String, values: [Float])] {
        Self.bufferNames.map { ($0, buffer(named: $0)!) }
    }

    /// The table as CSV: a header `t,betas,alphas,...` and one row per timestep t = 0..<T.
    ///
    /// Values are printed as the shortest decimal that reads back as the same Float.
    /// - Parameter every: print only every k-th row (the last row is always included).
    public func csv(every: Int = 1) -> String {
        let cols = table
        var out = "t," + cols.map(\.name).joined(separator: ",") + "\n"
        let stride = max(1, every)
        for t in 0..<timesteps where t % stride == 0 || t == timesteps - 1 {
            out += String(t)
            for c in cols { out += "," + Self.format(c.values[t]) }
            out += "\n"
        }
        return out
    }

    /// The shortest decimal that round-trips (Swift's `description`), e.g. `0.0001`, `6.3e-05`.
    static func format(_ x: Float) -> String {
        x == 0 ? "0" : x.description
    }
}
