import Foundation

/// The PyTorch trainer (`reference/train.py` and the modules it imports), carried inside the
/// binary so `ddpm export` can write it anywhere. `scripts/embed-trainer` regenerates the data;
/// a test keeps it equal to `reference/`.
public enum TrainerSources {
    /// The packages the trainer imports, one per line (pip's requirements format).
    public static let requirements = """
        torch>=2.1
        safetensors>=0.4
        numpy>=1.24
        pillow>=10.0

        """

    /// (file name, contents), in the order `scripts/embed-trainer` lists them.
    public static var files: [(name: String, contents: Data)] {
        embedded.map { ($0.name, Data(base64Encoded: $0.base64) ?? Data()) }
    }
}
