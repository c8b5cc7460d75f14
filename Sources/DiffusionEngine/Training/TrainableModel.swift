/// What differs between model families in training — the network, its loss per micro-batch and
/// what a milestone shows — behind one seam, so the loop (`Trainer`: batches, accumulation,
/// clipping, Adam, EMA, checkpoints, exact resume; `TrainingSession`: milestones, metrics, stop
/// and save) is written once. `DiffusionTrainable` (a UNet denoiser under a `GaussianDiffusion`)
/// and `VAETrainable` (a `VAE` under `VAELoss`) conform.
public protocol TrainableModel: AnyObject {
    /// The parameters and gradients the loop steps: one arena each, named as in the PyTorch twin.
    var store: ParameterStore { get }

    /// Draws the randomness of one micro-batch beyond its images, from the step's generator:
    /// timesteps and noise like x0 (diffusion), or no timesteps and ε like the latent (VAE).
    /// - Parameter x0: (N, C, S, S) the micro-batch's images.
    func drawRandomness(for x0: Tensor, rng: inout RandomGenerator) -> (t: [Int], noise: Tensor)

    /// Forward, loss and backward of one micro-batch: parameter gradients are accumulated (`+=`)
    /// into `store.grads`, multiplied by `lossScale`; the returned loss is not.
    /// - Parameters:
    ///   - x0: (N, C, S, S) in [-1, 1]; t and noise as `drawRandomness` made them.
    ///   - step: optimizer steps already taken (schedules such as the KL warm-up read it).
    func trainingLoss(x0: Tensor, t: [Int], noise: Tensor, step: Int, lossScale: Float) -> TrainingLoss

    /// What a milestone shows, computed with `weights` (the EMA copy) on a fresh network, so the
    /// live arrays are not touched.
    /// - Parameter progress: called as work advances (done, total); return false to give up.
    /// - Returns: nil when `progress` gave up.
    func milestone(weights: [Float], request: MilestoneRequest, progress: (Int, Int) -> Bool) throws -> Milestone?
}

/// One micro-batch's loss as the loop records it.
public struct TrainingLoss {
    /// The scalar minimised (mean over the micro-batch).
    public var loss: Float
    /// Per-sample (timestep, loss) pairs for the loss-by-timestep buckets; empty without timesteps.
    public var perSample: [(t: Int, loss: Float)]
    /// Named parts of the loss ("reconstruction", "kl", "kl_weight"), logged and plotted; empty
    /// when the loss has none.
    public var terms: [String: Float]

    public init(loss: Float, perSample: [(t: Int, loss: Float)] = [], terms: [String: Float] = [:]) {
        self.loss = loss
        self.perSample = perSample
        self.terms = terms
    }
}
