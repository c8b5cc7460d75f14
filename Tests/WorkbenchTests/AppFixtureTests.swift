import DiffusionEngine
import Foundation
import Testing
import TerminalUI
import Workbench

/// A small, fast setup for the app's tests: the `fixture` UNet (8x8 images) with random weights,
/// T = 10, a made-up training snapshot and real chains computed on it.
enum AppFixture {
    static let T = 10

    static var options: TrainingOptions {
        var o = TrainingOptions.interactive
        o.preset = "fixture"
        o.model = .fixture
        o.timesteps = T
        o.steps = 200
        o.batchSize = 2
        o.saveEvery = 50
        o.sampleCount = 4
        return o
    }

    static func weights(step: Int = 42) throws -> ModelWeights {
        let m = try UNet(config: .fixture, seed: 3)
        // EMA differs from the raw weights so the `e` toggle is visible in tests.
        let ema = m.store.values.map { $0 * 0.5 }
        return ModelWeights(step: step, config: .fixture, diffusion: GaussianDiffusion(schedule: try NoiseSchedule(.linear, timesteps: T)),
                            values: m.store.values, emaValues: ema)
    }

    /// (n,3,8,8) smooth patterns in [-1,1].
    static func images(_ n: Int = 4) -> Tensor {
        var data: [Float] = []
        for i in 0..<n {
            for c in 0..<3 {
                for y in 0..<8 { for x in 0..<8 { data.append(Float((x + y * (c + 1) + i) % 8) / 3.5 - 1) } }
            }
        }
        return Tensor(shape: [n, 3, 8, 8], data: data)
    }

    static func info(viewOnly: Bool = false) -> RunInfo {
        RunInfo(options: options, viewOnly: viewOnly, checkpointPath: viewOnly ? "/runs/a/checkpoint.safetensors" : nil,
                outPath: viewOnly ? nil : "/runs/a", dataDescription: "fixture patterns: 4 images", images: images())
    }

    static func snapshot(step: Int = 120) -> TrainingSnapshot {
        var s = TrainingSnapshot.initial(options: options, data: "fixture patterns: 4 images")
        for k in 0..<step {
            // Bucket b settles from 1.2 times its final value to 0.5 - 0.04 b.
            let settle = Float(1 + 0.2 * exp(-Double(k) / 40))
            s.record(step: k + 1, loss: Float(0.9 * exp(-Double(k) / 60) + 0.1),
                     buckets: (0..<10).map { settle * Float(0.5 - 0.04 * Double($0)) })
        }
        s.bucketLoss = (0..<10).map { Float(0.5 - 0.04 * Double($0)) }
        s.gradNorm = 0.42
        s.imagesPerSecond = 123.4
        s.etaSeconds = 95
        s.samples = images()
        s.samplesStep = 100
        s.lastCheckpointStep = 100
        s.lastCheckpointPath = "/runs/a/checkpoint.safetensors"
        s.record(MilestoneMetrics(step: 50, nearestNeighbourRMSE: 0.789, swd: 0.321))
        s.record(MilestoneMetrics(step: 100, nearestNeighbourRMSE: 0.456, swd: 0.123))
        s.status = "training"
        return s
    }

    /// A Denoise history with `steps` steps computed.
    static func denoise(_ settings: ChainSettings = ChainSettings(seed: 1), steps: Int = T) throws -> DenoiseHistory {
        var run = DenoiseRun(weights: try weights(), settings: settings)
        for _ in 0..<steps { run.step() }
        return run.history
    }

    /// A Compare history run to the end.
    static func compare(a: FixSet = .fixed, b: FixSet, settings: ChainSettings = ChainSettings(seed: 1)) throws -> CompareHistory {
        var run = CompareRun(weights: try weights(), request: .init(settings: settings, a: a, b: b),
                             forwardImage: Tensor(shape: [1, 3, 8, 8], data: Array(images(1).data)))
        while run.canStep { run.step() }
        return run.history
    }

    static func state(_ screen: Screen, viewOnly: Bool = false) -> AppState {
        var s = AppState(timesteps: T, viewOnly: viewOnly, themeCount: 3)
        s.screen = screen
        return s
    }

    static func input(_ state: AppState, theme: Theme = .default, denoise: DenoiseHistory? = nil,
                      compare: CompareHistory? = nil, viewOnly: Bool = false) -> FrameInput {
        FrameInput(state: state, snapshot: snapshot(), info: info(viewOnly: viewOnly), denoise: denoise,
                   compare: compare, newestWeightsStep: 42, theme: theme)
    }

    static func frame(_ input: FrameInput, width: Int = 160, height: Int = 50, glyphs: Glyphs = .unicode) -> Grid {
        AppRenderer.frame(input, width: width, height: height, glyphs: glyphs)
    }
}

extension Grid {
    /// The whole frame as one string (for `contains` checks and failure messages).
    var text: String { textLines().joined(separator: "\n") }
}

@Suite struct AppFixtureChecks {
    @Test func fixtureChainRunsToTheEnd() throws {
        let h = try AppFixture.denoise()
        #expect(h.isFinished)
        #expect(h.frames.map(\.t) == Array((0..<AppFixture.T).reversed()))
        #expect(h.error == nil)
    }
}
