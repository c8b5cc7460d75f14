"""Test folders for issue 13: N JPEGs of 512x512 from the Twemoji set (72x72 PNGs).

    "$(scripts/python-env)" bench/make_folders.py ../shared/data/twemoji-72 /tmp/ms-data/n15000 15000

Image i is source i mod S (sorted names; alpha over white), upscaled (bicubic) to 512 px; repeats
(i >= S) get a deterministic variation: a horizontal flip, a shift of up to 24 px (white fill) and a
brightness/colour factor in [0.85, 1.15]. JPEG quality 90, in subfolders of 1,000 (AFHQ-like).
Write into /tmp, never into the repository.
"""
import os
import random
import sys

from PIL import Image, ImageChops, ImageEnhance


def main(src: str, out: str, n: int, size: int = 512) -> None:
    names = sorted(f for f in os.listdir(src) if f.endswith(".png"))
    cache = {}
    for i in range(n):
        name = names[i % len(names)]
        if name not in cache:
            rgba = Image.open(os.path.join(src, name)).convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            cache[name] = Image.alpha_composite(white, rgba).convert("RGB").resize((size, size), Image.BICUBIC)
        img = cache[name]
        if i >= len(names):
            r = random.Random(i)
            if r.random() < 0.5:
                img = img.transpose(Image.FLIP_LEFT_RIGHT)
            dx, dy = r.randint(-24, 24), r.randint(-24, 24)
            shifted = Image.new("RGB", img.size, (255, 255, 255))
            shifted.paste(img, (dx, dy))
            img = ImageEnhance.Brightness(shifted).enhance(r.uniform(0.85, 1.15))
            img = ImageEnhance.Color(img).enhance(r.uniform(0.85, 1.15))
        folder = os.path.join(out, f"part{i // 1000:02d}")
        os.makedirs(folder, exist_ok=True)
        img.save(os.path.join(folder, f"{i:05d}-{name[:-4]}.jpg"), quality=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
