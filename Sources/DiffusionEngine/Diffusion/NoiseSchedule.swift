#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the variances β_t of the forward process grow with t.
///
/// For T steps (index t = 0..<T, the course's 0-based convention):
/// - `linear`:    β = linspace(βstart, βend, T)                             (Ho et al. 2020)
/// - `cosine`:    ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T) + s)/(1 + s) · π/2) for t = 0...T,
///                β_t = min(1 - ᾱ(t+1)/ᾱ(t), 0.999), s = 0.008              (Nichol & Dhariwal 2021, eq. 17)
/// - `quadratic`: β = linspace(√βstart, √βend, T)²
/// - `sigmoid`:   β = sigmoid(linspace(-6, 6, T)) · (βend - βstart) + βstart
///                (the form of the annotated-diffusion course code: an S-curve squeezed into
///                [βstart, βend]; its ends are βstart + 0.0025·(βend-βstart), not exactly βstart/βend)
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    case linear, cosine, quadratic, sigmoid
}

/// The noise schedule of a DDPM and every buffer derived from it.
///
/// All buffers have shape (T,), are computed in `Double` and stored as `Float`, and follow the
/// names of the paper and the course code (the CSV uses the course's snake_case names):
///
///     betas                      β_t
///     alphas                     α_t = 1 - β_t
///     alphasCumprod              ᾱ_t = Π_{s≤t} α_s
///     alphasCumprodPrev          ᾱ_{t-1}  (1 at t = 0)
///     sqrtAlphasCumprod          √ᾱ_t
///     sqrtOneMinusAlphasCumprod  √(1-ᾱ_t)
///     sqrtRecipAlphasCumprod     √(1/ᾱ_t)
///     sqrtRecipm1AlphasCumprod   √(1/ᾱ_t - 1)
///     posteriorVariance          β̃_t = β_t (1-ᾱ_{t-1}) / (1-ᾱ_t)   (0 at t = 0)
///     posteriorLogVarianceClipped log β̃_t, with the t = 0 entry replaced by log β̃_1
///     posteriorMeanCoef1         β_t √ᾱ_{t-1} / (1-ᾱ_t)           (1 at t = 0)
///     posteriorMeanCoef2         (1-ᾱ_{t-1}) √α_t / (1-ᾱ_t)       (0 at t = 0)
///     logSNR                     log(ᾱ_t / (1-ᾱ_t))
///
/// The posterior q(x_{t-1} | x_t, x_0) has mean coef1·x_0 + coef2·x_t and variance β̃_t.
public struct NoiseSchedule: Sendable, Equatable {
    public let kind: ScheduleKind
    /// Number of diffusion steps T.
    public let timesteps: Int
    /// β at t = 0 and t = T-1 for linear, quadratic and sigmoid (cosine ignores them).
    public let betaStart: Double
    public let betaEnd: Double

    public let betas: [Float]
    public let alphas: [Float]
    public let alphasCumprod: [Float]
    public let alphasCumprodPrev: [Float]
    public let sqrtAlphasCumprod: [Float]
    public let sqrtOneMinusAlphasCumprod: [Float]
    public let sqrtRecipAlphasCumprod: [Float]
    public let sqrtRecipm1AlphasCumprod: [Float]
    public let posteriorVariance: [Float]
    public let posteriorLogVarianceClipped: [Float]
    public let posteriorMeanCoef1: [Float]
    public let posteriorMeanCoef2: [Float]
    public let logSNR: [Float]

    /// The cosine schedule's offset s and the cap on its betas.
    public static let cosineOffset = 0.008
    public static let cosineMaxBeta = 0.999

    /// Builds a schedule; throws when T or the β range is unusable.
    /// - Parameters:
    ///   - kind: the β curve.
    ///   - timesteps: T (the course uses 1000).
    ///   - betaStart, betaEnd: the β range for linear, quadratic and sigmoid.
    public init(_ kind: ScheduleKind = .linear, timesteps: Int = 1000, betaStart: Double = 1e-4, betaEnd: Double = 0.02) throws {
        guard timesteps >= 2 else {
            throw EngineError("noise schedule: T = \(timesteps) steps is too few; use at least 2")
        }
        guard betaStart > 0, betaEnd < 1, betaStart <= betaEnd else {
            throw EngineError("noise schedule: β range \(betaStart)...\(betaEnd) must satisfy 0 < start <= end < 1")
        }
        let b = NoiseSchedule.betas(kind, timesteps: timesteps, start: betaStart, end: betaEnd)
        self.init(kind: kind, betas: b, betaStart: betaStart, betaEnd: betaEnd)
    }

    /// A schedule from explicit betas (shape (T,), each in (0, 1)); `kind` is only a label.
    public init(kind: ScheduleKind, betas b: [Double], betaStart: Double = 1e-4, betaEnd: Double = 0.02) {
        precondition(b.count >= 2 && b.allSatisfy { $0 > 0 && $0 < 1 }, "NoiseSchedule: betas (T,)=(\(b.count)) must be in (0,1), T >= 2")
        let T = b.count
        self.kind = kind
        self.timesteps = T
        self.betaStart = betaStart
        self.betaEnd = betaEnd

        let a = b.map { 1 - $0 }                                   // α_t
        var ac = [Double](repeating: 0, count: T)                   // ᾱ_t
        var running = 1.0
        for t in 0..<T { running *= a[t]; ac[t] = running }
        let acPrev = [1.0] + ac.dropLast()                          // ᾱ_{t-1}
        let postVar = (0..<T).map { b[$0] * (1 - acPrev[$0]) / (1 - ac[$0]) }
        // β̃_0 = 0 and log 0 = -inf, so the DDPM code uses β̃_1 there.
        let postLogVar = (0..<T).map { log($0 == 0 ? postVar[1] : postVar[$0]) }

        func f(_ x: [Double]) -> [Float] { x.map(Float.init) }
        betas = f(b)
        alphas = f(a)
        alphasCumprod = f(ac)
        alphasCumprodPrev = f(acPrev)
        sqrtAlphasCumprod = f(ac.map { $0.squareRoot() })
        sqrtOneMinusAlphasCumprod = f(ac.map { (1 - $0).squareRoot() })
        sqrtRecipAlphasCumprod = f(ac.map { (1 / $0).squareRoot() })
        sqrtRecipm1AlphasCumprod = f(ac.map { (1 / $0 - 1).squareRoot() })
        posteriorVariance = f(postVar)
        posteriorLogVarianceClipped = f(postLogVar)
        posteriorMeanCoef1 = f((0..<T).map { b[$0] * acPrev[$0].squareRoot() / (1 - ac[$0]) })
        posteriorMeanCoef2 = f((0..<T).map { (1 - acPrev[$0]) * a[$0].squareRoot() / (1 - ac[$0]) })
        logSNR = f(ac.map { log($0 / (1 - $0)) })
    }

    /// The betas of a schedule kind, in `Double`, shape (T,).
    public static func betas(_ kind: ScheduleKind, timesteps T: Int, start: Double = 1e-4, end: Double = 0.02) -> [Double] {
        // linspace(lo, hi, T)[i]
        func lin(_ lo: Double, _ hi: Double, _ i: Int) -> Double { lo + (hi - lo) * Double(i) / Double(T - 1) }
        switch kind {
        case .linear:
            return (0..<T).map { lin(start, end, $0) }
        case .quadratic:
            return (0..<T).map { let r = lin(start.squareRoot(), end.squareRoot(), $0); return r * r }
        case .sigmoid:
            return (0..<T).map { 1 / (1 + exp(-lin(-6, 6, $0))) * (end - start) + start }
        case .cosine:
            let s = cosineOffset
            func fbar(_ t: Int) -> Double {
                let c = cos((Double(t) / Double(T) + s) / (1 + s) * Double.pi / 2)
                return c * c
            }
            let f0 = fbar(0)
            return (0..<T).map { t in
                let beta = 1 - (fbar(t + 1) / f0) / (fbar(t) / f0)
                return min(max(beta, 0), cosineMaxBeta)
            }
        }
    }
}

extension NoiseSchedule: Codable {
    private enum CodingKeys: String, CodingKey { case kind, timesteps, betaStart, betaEnd }

    /// Only the recipe is stored; the buffers are recomputed on decode.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(timesteps, forKey: .timesteps)
        try c.encode(betaStart, forKey: .betaStart)
        try c.encode(betaEnd, forKey: .betaEnd)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            try c.decode(ScheduleKind.self, forKey: .kind),
            timesteps: try c.decode(Int.self, forKey: .timesteps),
            betaStart: try c.decodeIfPresent(Double.self, forKey: .betaStart) ?? 1e-4,
            betaEnd: try c.decodeIfPresent(Double.self, forKey: .betaEnd) ?? 0.02)
    }
}
