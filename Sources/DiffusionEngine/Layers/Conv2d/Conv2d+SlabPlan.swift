extension Conv2d {
    /// How the output positions of a batch are cut into slabs of about `target` columns: a few
    /// rows of one image when an image has at least `target` positions, else several whole
    /// images (but no more than leave `parts` slabs for the pool's threads).
    struct SlabPlan {
        let images: Int
        let rows: Int
        let rowsPerSlab: Int
        let slabsPerImage: Int
        let imagesPerSlab: Int
        /// Number of slabs.
        let count: Int

        init(images n: Int, rows ho: Int, rowWidth wo: Int, target: Int, parts: Int) {
            images = n
            rows = ho
            let l = ho * wo
            if l >= target {
                let wanted = max(1, (l + target / 2) / target)
                rowsPerSlab = (ho + wanted - 1) / wanted
                slabsPerImage = (ho + rowsPerSlab - 1) / rowsPerSlab
                imagesPerSlab = 1
                count = n * slabsPerImage
            } else {
                rowsPerSlab = ho
                slabsPerImage = 1
                imagesPerSlab = max(1, min(target / max(1, l), (n + parts - 1) / parts))
                count = (n + imagesPerSlab - 1) / imagesPerSlab
            }
        }

        /// Slab `t`: its first image, how many whole images (1 for a part of one image), and the
        /// output rows it covers (all of them for whole images).
        func slab(_ t: Int) -> (image: Int, images: Int, rows: Range<Int>) {
            if imagesPerSlab == 1 {
                let img = t / slabsPerImage, j = t % slabsPerImage
                return (img, 1, (j * rowsPerSlab)..<min(rows, (j + 1) * rowsPerSlab))
            }
            let first = t * imagesPerSlab
            return (first, min(imagesPerSlab, images - first), 0..<rows)
        }
    }
}
