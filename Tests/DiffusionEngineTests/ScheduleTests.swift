import Foundation
import Testing
import DiffusionEngine

@Suite struct ScheduleTests {
    /// |a - b| ≤ tol · max(1, |b|)
    func close(_ a: Float, _ b: Double, _ tol: Double) -> Bool { abs(Double(a) - b) <= tol * max(1, abs(b)) }

    @Test func linearValuesPinnedByHand() throws {
        // Reference values from float64 numpy: linspace(1e-4, 0.02, 1000), cumprod(1 - β).
        let s = try NoiseSchedule(.linear, timesteps: 1000)
        #expect(s.betas[0] == Float(1e-4))
        #expect(s.betas[999] == Float(0.02))
        #expect(abs(Double(s.alphasCumprod[999]) - 4.035829765375676e-05) < 1e-10)
        #expect(abs(Double(s.sqrtAlphasCumprod[999]) - 0.006352818087570016) < 1e-8)
        #expect(abs(Double(s.alphasCumprod[500]) - 0.07779665836502389) < 1e-7)
        #expect(abs(Double(s.sqrtOneMinusAlphasCumprod[999]) - 0.99997982064757) < 1e-7)
        #expect(abs(Double(s.posteriorVariance[1]) - 5.4531876613021935e-05) < 1e-10)
        #expect(abs(Double(s.posteriorMeanCoef1[999]) - 0.00012835148717224682) < 1e-9)
        #expect(abs(Double(s.posteriorMeanCoef2[999]) - 0.9899486782675173) < 1e-7)
        #expect(abs(Double(s.logSNR[0]) - 9.21024036697596) < 1e-5)
        #expect(abs(Double(s.logSNR[999]) + 10.117673183301035) < 1e-5)
    }

    @Test func otherKindsPinnedByHand() throws {
        let c = try NoiseSchedule(.cosine, timesteps: 1000)
        #expect(abs(Double(c.betas[0]) - 4.128422482196914e-05) < 1e-10)
        #expect(c.betas[999] == Float(0.999))          // clipped
        #expect(abs(Double(c.alphasCumprod[500]) - 0.4922851724488026) < 1e-6)
        let q = try NoiseSchedule(.quadratic, timesteps: 1000)
        #expect(abs(Double(q.betas[500]) - 0.005742071067688482) < 1e-9)
        #expect(abs(Double(q.alphasCumprod[999]) - 0.0007334124595808159) < 1e-8)
        let g = try NoiseSchedule(.sigmoid, timesteps: 1000)
        #expect(abs(Double(g.betas[0]) - 0.00014920520081703202) < 1e-10)
        #expect(abs(Double(g.betas[500]) - 0.010079879790061013) < 1e-8)
        #expect(abs(Double(g.betas[999]) - 0.01995079479918297) < 1e-8)
    }

    @Test(arguments: ScheduleKind.allCases)
    func buffersSatisfyTheirDefinitions(kind: ScheduleKind) throws {
        let s = try NoiseSchedule(kind, timesteps: 200)
        #expect(s.timesteps == 200)
        for t in 0..<200 {
            let ac = Double(s.alphasCumprod[t])
            #expect(s.betas[t] > 0 && s.betas[t] < 1)
            #expect(close(s.alphas[t], 1 - Double(s.betas[t]), 1e-6))
            #expect(close(s.sqrtAlphasCumprod[t], ac.squareRoot(), 1e-6))
            #expect(close(s.sqrtRecipAlphasCumprod[t] * s.sqrtAlphasCumprod[t], 1, 1e-5))
            #expect(close(s.sqrtRecipm1AlphasCumprod[t] * s.sqrtAlphasCumprod[t], Double(s.sqrtOneMinusAlphasCumprod[t]), 1e-5))
            #expect(close(s.alphasCumprodPrev[t], t == 0 ? 1 : Double(s.alphasCumprod[t - 1]), 0))
            if t > 0 {
                #expect(s.alphasCumprod[t] < s.alphasCumprod[t - 1])
                #expect(abs(Double(s.posteriorLogVarianceClipped[t]) - log(Double(s.posteriorVariance[t]))) < 1e-4)
            }
        }
        #expect(s.posteriorVariance[0] == 0)
        #expect(s.posteriorLogVarianceClipped[0] == s.posteriorLogVarianceClipped[1])
    }

    @Test(arguments: ScheduleKind.allCases)
    func posteriorCoefficientsAtTZeroAreOneAndZero(kind: ScheduleKind) throws {
        // The fact behind FIX 3: at t = 0 the posterior mean coef1·x̂0 + coef2·x_t is x̂0 itself.
        let s = try NoiseSchedule(kind, timesteps: 1000)
        #expect(abs(s.posteriorMeanCoef1[0] - 1) <= Float.ulpOfOne)
        #expect(abs(s.posteriorMeanCoef2[0]) <= Float.ulpOfOne)
    }

    @Test func tableAndCSV() throws {
        let s = try NoiseSchedule(.linear, timesteps: 10)
        let csv = s.csv()
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 11)
        #expect(lines[0] == "t,betas,alphas,alphas_cumprod,alphas_cumprod_prev,sqrt_alphas_cumprod,sqrt_one_minus_alphas_cumprod,sqrt_recip_alphas_cumprod,sqrt_recipm1_alphas_cumprod,posterior_variance,posterior_log_variance_clipped,posterior_mean_coef1,posterior_mean_coef2,log_snr")
        let row3 = lines[4].split(separator: ",")
        #expect(row3[0] == "3")
        #expect(Float(String(row3[3])) == s.alphasCumprod[3])   // values round-trip exactly
        #expect(s.csv(every: 4).split(separator: "\n").count == 1 + 4)  // t = 0, 4, 8, 9
        for (name, values) in s.table { #expect(values == s.buffer(named: name)!) }
        #expect(s.buffer(named: "nope") == nil)
    }

    @Test func codableStoresTheRecipe() throws {
        let s = try NoiseSchedule(.cosine, timesteps: 300)
        let data = try JSONEncoder().encode(s)
        let back = try JSONDecoder().decode(NoiseSchedule.self, from: data)
        #expect(back == s)
    }

    @Test func badSettingsAreErrors() {
        #expect(throws: EngineError.self) { try NoiseSchedule(.linear, timesteps: 1) }
        #expect(throws: EngineError.self) { try NoiseSchedule(.linear, timesteps: 100, betaStart: 0.1, betaEnd: 0.01) }
    }
}
