import DiffusionEngine

/// A VAE's and a diffusion model's samples on the same data, with the same metrics (what the VAE
/// screen's "VAE vs diffusion" view shows; `VAEWorker` computes it).
public struct VersusComparison: Sendable {
    public struct Side: Sendable {
        /// (N, C, S, S) in [-1, 1].
        public var samples: Tensor
        /// How they were made ("prior N(0, I), one decoder pass", "DDIM 100 steps, EMA weights").
        public var what: String
        /// The optimizer step of the weights.
        public var step: Int
        /// Mean distance of each sample to its nearest training image ([-1, 1] units).
        public var nnRMSE: Float
        /// Sliced Wasserstein distance of the samples' patches to the training set's.
        public var swd: Float

        public init(samples: Tensor, what: String, step: Int, nnRMSE: Float, swd: Float) {
            self.samples = samples
            self.what = what
            self.step = step
            self.nnRMSE = nnRMSE
            self.swd = swd
        }
    }

    public var vae: Side?
    public var diffusion: Side?
    /// "sampling the diffusion model: DDIM step 40/100", "done", "failed: …".
    public var status: String

    /// True while a side is still being sampled.
    public var isRunning: Bool { status.hasPrefix("sampling") }

    public init(vae: Side? = nil, diffusion: Side? = nil, status: String) {
        self.vae = vae
        self.diffusion = diffusion
        self.status = status
    }
}
