import DiffusionEngine
import Foundation
import Workbench

/// `ddpm bench`: training-step and sampling-step timings of a UNet preset on this machine.
///
/// Method: build the model, run `warmup` untimed training steps (forward, MSE loss, backward,
/// Adam), then time `steps` more and report the median; FLOPs are counted from the config
/// (`UNetConfig.forwardFLOPs`), a training step counted as 3x the forward (forward + two
/// backward GEMMs per layer). The reverse-sampling step is one `training: false` forward at batch 1
/// (what the viewer and `ddpm sample` do per step).
public struct BenchmarkReport: Codable, Sendable {
    public var preset: String
    public var batch: Int
    public var parameters: Int
    public var trainStepSeconds: Double
    public var imagesPerSecond: Double
    public var gflops: Double
    public var sampleStepSeconds: Double
    public var sampleStepSecondsBatch16: Double
    public var peakRSSMegabytes: Double
    public var threads: Int

    /// A readable table.
    public var text: String {
        """
        preset \(preset)  batch \(batch)  parameters \(parameters)  threads \(threads)
          training step (median)   \(String(format: "%9.2f ms", trainStepSeconds * 1e3))
          images/s                 \(String(format: "%9.1f", imagesPerSecond))
          achieved GFLOP/s         \(String(format: "%9.1f", gflops))
          sampling step, batch 1   \(String(format: "%9.2f ms", sampleStepSeconds * 1e3))
          sampling step, batch 16  \(String(format: "%9.2f ms", sampleStepSecondsBatch16 * 1e3))
          peak RSS                 \(String(format: "%9.1f MB", peakRSSMegabytes))
        """
    }
}

public enum Benchmark {
    /// Runs the benchmark. `progress` receives one line per phase (for a TTY).
    public static func run(
        preset: String, config: UNetConfig, batch: Int, warmup: Int = 3, steps: Int = 10,
        progress: (String) -> Void = { _ in }
    ) throws -> BenchmarkReport {
        let model = try UNet(config: config, seed: 0)
        var rng = RandomGenerator(seed: 1)
        let shape = [batch, config.channels, config.imageSize, config.imageSize]
        let x = rng.normalTensor(shape)
        let target = rng.normalTensor(shape)
        let t = (0..<batch).map { _ in Float(rng.int(below: 1000)) }
        var adam = Adam(parameterCount: model.store.count, lr: 1e-3)

        func trainStep() {
            model.store.zeroGrads()
            let y = model.forward(x, timesteps: t, training: true)
            var dy = y - target
            let scale = 2 / Float(dy.count)
            for i in 0..<dy.count { dy.data[i] *= scale }
            model.backward(dy)
            adam.update(model.store)
        }

        progress("warming up (\(warmup) steps)")
        for _ in 0..<warmup { trainStep() }
        var times: [Double] = []
        for i in 0..<steps {
            progress("training step \(i + 1)/\(steps)")
            let t0 = monotonicSeconds()
            trainStep()
            times.append(monotonicSeconds() - t0)
        }
        let train = median(times)

        func sampleTime(_ n: Int) -> Double {
            let xs = rng.normalTensor([n, config.channels, config.imageSize, config.imageSize])
            let ts = [Float](repeating: 500, count: n)
            _ = model.forward(xs, timesteps: ts, training: false)
            var st: [Double] = []
            for _ in 0..<max(5, steps) {
                let t0 = monotonicSeconds()
                _ = model.forward(xs, timesteps: ts, training: false)
                st.append(monotonicSeconds() - t0)
            }
            return median(st)
        }
        progress("sampling steps")
        let s1 = sampleTime(1)
        let s16 = sampleTime(16)
        let flops = 3 * config.forwardFLOPs(batch: batch)
        return BenchmarkReport(
            preset: preset, batch: batch, parameters: model.store.count,
            trainStepSeconds: train, imagesPerSecond: Double(batch) / train, gflops: flops / train / 1e9,
            sampleStepSeconds: s1, sampleStepSecondsBatch16: s16, peakRSSMegabytes: peakRSSMegabytes(),
            threads: ComputePool.shared.width)
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }
}

/// Peak resident set size of this process (getrusage's ru_maxrss is in KiB on Linux).
public func peakRSSMegabytes() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}
