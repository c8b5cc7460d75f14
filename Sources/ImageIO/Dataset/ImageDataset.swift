import Foundation

/// Decoded training images held in memory, with where each came from and what was skipped.
///
/// Built by `ImageDataset.loadFolder(_:classFilter:preparation:)` or
/// `BuiltinFaces.dataset(preparation:)`. Order is deterministic (sorted paths / faces.txt order)
/// whatever the number of decoding threads.
public struct ImageDataset: Sendable {
    /// The images, already passed through the preparation recipe if one was given.
    public var images: [RGBImage]
    /// One name per image: the path relative to the folder, or the built-in face's code.
    public var names: [String]
    /// Files skipped, each "<path>: <reason>" (unreadable, corrupt, unsupported format, too big).
    /// Returned, not printed: the caller decides where warnings go.
    public var warnings: [ImageError]
    /// Where the images came from (the folder as given, or "built-in").
    public var source: String

    public init(images: [RGBImage], names: [String], warnings: [ImageError] = [], source: String) {
        precondition(images.count == names.count, "ImageDataset: \(images.count) images but \(names.count) names")
        self.images = images
        self.names = names
        self.warnings = warnings
        self.source = source
    }

    /// Number of images.
    public var count: Int { images.count }

    /// Loads every PNG and JPEG under `folder`, recursively, decoding each file once.
    ///
    /// Files are recognised by their first bytes. Files with an image extension that are not
    /// PNG/JPEG (a GIF, a WebP, a broken file) become warnings; other files (notes, CSVs) are
    /// ignored silently, as are hidden entries (names starting with "."; e.g. macOS `._x.jpg`).
    /// Symbolic links are followed, each folder visited once.
    ///
    /// - Parameters:
    ///   - folder: the dataset root.
    ///   - classFilter: keep only files below a folder with exactly this name (the course's
    ///     `data_class`: `cat` keeps `train/cat/...` of AFHQ, drops `train/dog/...`). Matched
    ///     against the folders between `folder` and the file, and against `folder`'s own name.
    ///   - preparation: applied to each image after decoding (nil keeps full-size images).
    ///   - limits: per-file size limits (decompression bombs become warnings).
    ///   - threads: decoding threads (2 fits this project's machines), >= 1.
    ///   - progress: called with (files done, files found) after each file, decoded or skipped,
    ///     from the decoding threads one call at a time, `done` counting up to `total`.
    /// - Throws: `ImageError` naming the folder when it is missing, not a folder, holds no
    ///   PNG/JPEG (after the class filter), or when no file at all could be decoded.
    public static func loadFolder(_ folder: String, classFilter: String? = nil,
                                  preparation: ImagePreparation? = nil,
                                  limits: DecodeLimits = .standard, threads: Int = 2,
                                  progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> ImageDataset {
        let listing = try FolderListing(folder, classFilter: classFilter)
        var slots = [RGBImage?](repeating: nil, count: listing.count)
        let decoded = try slots.withUnsafeMutableBufferPointer { out in
            let out = out  // each index is written by exactly one decoding thread
            return try listing.decode(preparation: preparation, limits: limits, threads: threads, progress: progress) { out[$0] = $1 }
        }
        return ImageDataset(images: decoded.kept.map { slots[$0]! }, names: decoded.names, warnings: decoded.warnings, source: folder)
    }

    /// The PNG/JPEG files of a folder, found but not decoded yet: `loadFolder` in two steps, for a
    /// caller that copies each image elsewhere as it is decoded (`decode`'s `store`) and so never
    /// holds the whole set as `RGBImage`s (15,000 of them are 233 MB at 36x36).
    public struct FolderListing: Sendable {
        public let folder: String
        let entries: [FolderWalk.Entry]
        let walkWarnings: [ImageError]
        /// PNG/JPEG files found (decoded or not): the indices `decode` stores at.
        public var count: Int { entries.count }

        /// Walks `folder` (see `loadFolder`).
        /// - Throws: `ImageError` when the folder is missing, not a folder, or holds no PNG/JPEG.
        public init(_ folder: String, classFilter: String? = nil) throws {
            let walk = try FolderWalk(root: folder, classFilter: classFilter)
            if walk.images.isEmpty { throw walk.emptyError() }
            self.folder = folder
            entries = walk.images
            walkWarnings = walk.warnings
        }

        /// What `decode` kept: the indices stored (ascending; skipped files leave gaps), their
        /// names (paths below the folder) and every warning, sorted by file.
        public struct Decoded: Sendable {
            public var kept: [Int]
            public var names: [String]
            public var warnings: [ImageError]
        }

        /// Decodes every file, hands each prepared image to `store(index, image)` on the decoding
        /// thread (each index at most once, never two calls for one index), and reports progress.
        /// - Throws: `ImageError` when no file could be decoded.
        public func decode(preparation: ImagePreparation? = nil, limits: DecodeLimits = .standard, threads: Int = 2,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                           store: (_ index: Int, _ image: RGBImage) -> Void) throws -> Decoded {
            let failures = ParallelMap.run(count: entries.count, threads: threads, progress: progress) { i -> ImageError? in
                do {
                    let image = try ImageDecoder.decodeFile(atPath: entries[i].fullPath, limits: limits)
                    store(i, preparation.map { $0.prepare(image) } ?? image)
                    return nil
                } catch let error as ImageError {
                    return error
                } catch {
                    return ImageError(file: entries[i].fullPath, reason: "\(error)")
                }
            }
            let kept = failures.indices.filter { failures[$0] == nil }
            let warnings = (walkWarnings + failures.compactMap { $0 }).sorted { $0.file < $1.file }
            if kept.isEmpty {
                let first = warnings.first.map { " (first: \($0))" } ?? ""
                throw ImageError(file: folder, reason: "none of the \(entries.count) PNG/JPEG files could be decoded\(first)")
            }
            return Decoded(kept: kept, names: kept.map { entries[$0].relativePath }, warnings: warnings)
        }
    }
}

/// Runs `body` for indices 0..<count on `threads` threads; results in index order.
enum ParallelMap {
    /// - Parameter progress: called after each index with (indices done, count), one call at a time.
    static func run<T>(count: Int, threads: Int, progress: ((Int, Int) -> Void)? = nil, _ body: (Int) -> T) -> [T] {
        precondition(threads >= 1, "ParallelMap: threads \(threads) must be >= 1")
        if count == 0 { return [] }
        let workers = min(threads, count)
        if workers == 1 {
            return (0..<count).map { i in
                let r = body(i)
                progress?(i + 1, count)
                return r
            }
        }
        var slots = [T?](repeating: nil, count: count)
        let lock = NSLock(), reporting = NSLock()
        var next = 0, done = 0
        slots.withUnsafeMutableBufferPointer { out in
            let out = out  // each index is written by exactly one worker
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    lock.lock()
                    let i = next
                    next += 1
                    lock.unlock()
                    if i >= count { return }
                    out[i] = body(i)
                    if let progress {
                        reporting.lock()
                        done += 1
                        progress(done, count)
                        reporting.unlock()
                    }
                }
            }
        }
        return slots.map { $0! }
    }
}
