import DiffusionEngine
import Foundation

/// Runs the reverse chains of the Denoise and Compare screens on its own thread, one step at a
/// time, and publishes what it computed; the UI thread never waits for a model call.
///
/// The UI says what it wants (`want(_:)`: which chain settings, how far); the worker starts a
/// chain over when its settings change (on the newest weights), steps until the wanted position,
/// and idles otherwise. The visible screen's chain comes first; nothing runs for hidden screens,
/// so the worker costs training nothing while the user watches the Train screen.
public final class ChainWorker: @unchecked Sendable {
    /// What the visible screen needs.
    public struct Wants: Equatable, Sendable {
        /// The Denoise chain and how many steps should be computed (nil: Denoise not visible).
        public var denoise: ChainSettings?
        public var denoiseTarget: Int = 0
        /// The Compare chains (nil: Compare not visible); they run to the end.
        public var compare: CompareRequest?

        public init(denoise: ChainSettings? = nil, denoiseTarget: Int = 0, compare: CompareRequest? = nil) {
            self.denoise = denoise
            self.denoiseTarget = denoiseTarget
            self.compare = compare
        }
    }

    public struct CompareRequest: Equatable, Sendable {
        public var settings: ChainSettings
        public var a: FixSet
        public var b: FixSet
        /// One model with two fix sets, or chain B on the second model.
        public var mode: CompareMode
        public init(settings: ChainSettings, a: FixSet, b: FixSet, mode: CompareMode = .fixSets) {
            self.settings = settings
            self.a = a
            self.b = b
            self.mode = mode
        }
    }

    /// The newest Denoise / Compare progress (nil before the first request).
    public let denoise = Latest<DenoiseHistory?>(nil)
    public let compare = Latest<CompareHistory?>(nil)

    private let weights: @Sendable () -> ModelWeights
    private let weightsB: @Sendable () -> ModelWeights?
    private let forwardImage: Tensor?
    private let wants = Latest<Wants>(Wants())
    private let worker = WorkerThread()

    // Worker-thread state.
    private var models: [ModelKey: UNet] = [:]
    private var denoiseRun: DenoiseRun?
    private var compareRun: CompareRun?

    private struct ModelKey: Hashable { var step: Int; var ema: Bool; var second: Bool }

    /// - Parameters:
    ///   - weights: returns the newest weights (called on the worker thread).
    ///   - weightsB: the second model's newest weights (an A/B pair's B), nil without one.
    ///   - forwardImage: an image (1,C,H,W) in [-1,1] for the forward-process A/B of FIX 1.
    public init(weights: @escaping @Sendable () -> ModelWeights, weightsB: @escaping @Sendable () -> ModelWeights? = { nil },
                forwardImage: Tensor?) {
        self.weights = weights
        self.weightsB = weightsB
        self.forwardImage = forwardImage
    }

    public func start() {
        worker.start(name: "ddpm-chains") { [self] in loop() }
    }

    /// Replaces what the worker should compute.
    public func want(_ w: Wants) {
        if wants.read().value != w { wants.write(w) }
    }

    /// Stops the thread after the step in flight and waits for it.
    public func stop() { worker.stop() }

    // MARK: The worker thread

    private func loop() {
        while !worker.isStopping {
            let w = wants.read().value
            var worked = false
            if let settings = w.denoise { worked = stepDenoise(settings, target: w.denoiseTarget) }
            if !worked, let request = w.compare { worked = stepCompare(request) }
            if !worked { usleep(10_000) }
        }
    }

    /// A model for `weights` (cached: chains on the same weights share one; `second` keeps the
    /// second model's apart from the first's at the same step).
    private func model(_ weights: ModelWeights, ema: Bool, second: Bool = false) throws -> UNet {
        let key = ModelKey(step: weights.step, ema: ema, second: second)
        if let m = models[key] { return m }
        let m = try weights.makeModel(ema: ema)
        if models.count > 4 { models.removeAll() }
        models[key] = m
        return m
    }

    /// One Denoise step if one is wanted. - Returns: true when it did work.
    private func stepDenoise(_ settings: ChainSettings, target: Int) -> Bool {
        if denoiseRun?.history.settings != settings {
            let w = weights()
            denoiseRun = DenoiseRun(weights: w, settings: settings, model: { try self.model(w, ema: settings.ema) })
            denoise.write(denoiseRun?.history)
            return true
        }
        guard var run = denoiseRun, run.canStep, run.history.frames.count < target else { return false }
        run.step()
        denoiseRun = run
        denoise.write(run.history)
        return true
    }

    /// One step of both Compare chains if they are not finished. - Returns: true when it did work.
    private func stepCompare(_ request: CompareRequest) -> Bool {
        if compareRun?.request != request {
            let w = weights(), wb = request.mode == .models ? weightsB() : nil
            compareRun = CompareRun(weights: w, weightsB: wb, request: request, forwardImage: forwardImage,
                                    model: { try self.model(w, ema: request.settings.ema) },
                                    modelB: { try wb.map { try self.model($0, ema: request.settings.ema, second: true) } })
            compare.write(compareRun?.history)
            return true
        }
        guard var run = compareRun, run.canStep else { return false }
        run.step()
        compareRun = run
        compare.write(run.history)
        return true
    }
}
