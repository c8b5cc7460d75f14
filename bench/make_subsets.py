"""Recipe-study sets for issue 13: Twemoji subsets that are not the built-in animal faces.

    "$(scripts/python-env)" bench/make_subsets.py ../shared/data/twemoji-72 /tmp/recipe

Writes one folder per set (the PNGs as they are, 72x72 RGBA: what a user's icon folder looks like;
the loader composites alpha over white) and a NOTICE (Twemoji, CC-BY 4.0). Sets are chosen by
Unicode block from the file names (code points), so they are reproducible without a name list:

  tuning (the recipe was tuned on these):
    food     U+1F32D-1F32F, 1F345-1F37F, 1F950-1F96F, 1F9C0-1F9CB    (single code points)
    objects  U+1F4A0-1F4FF                                            (single code points)
  held out (judged only with the final recipe):
    flags    regional-indicator pairs (1f1xx-1f1yy)
    people   U+1F600-1F64F (smileys) and U+1F466-1F469 with skin tones
    transport-grey  U+1F680-1F6FF, converted to grayscale (the alpha kept)

Write into /tmp, never into the repository.
"""
import os
import re
import shutil
import sys

from PIL import Image


def single(lo: int, hi: int):
    return lambda n: "-" not in n and lo <= int(n, 16) <= hi


SETS = {
    "food": lambda n: any(single(a, b)(n) for a, b in [(0x1F32D, 0x1F32F), (0x1F345, 0x1F37F), (0x1F950, 0x1F96F), (0x1F9C0, 0x1F9CB)]),
    "objects": single(0x1F4A0, 0x1F4FF),
    "flags": lambda n: re.fullmatch(r"1f1[ef][0-9a-f]-1f1[ef][0-9a-f]", n) is not None,
    "people": lambda n: single(0x1F600, 0x1F64F)(n) or re.fullmatch(r"1f46[6-9](-1f3f[b-f])?", n) is not None,
    "transport-grey": single(0x1F680, 0x1F6FF),
}


def main(src: str, out: str) -> None:
    faces = set(open(os.path.join(os.path.dirname(src.rstrip("/")), "twemoji-animal-faces.txt")).read().split())
    names = sorted(f[:-4] for f in os.listdir(src) if f.endswith(".png"))
    for set_name, keep in SETS.items():
        folder = os.path.join(out, set_name)
        os.makedirs(folder, exist_ok=True)
        chosen = [n for n in names if keep(n) and n not in faces]
        for n in chosen:
            if set_name.endswith("-grey"):
                Image.open(os.path.join(src, n + ".png")).convert("LA").save(os.path.join(folder, n + ".png"))
            else:
                shutil.copyfile(os.path.join(src, n + ".png"), os.path.join(folder, n + ".png"))
        notice = os.path.join(src, "NOTICE")
        if os.path.exists(notice):
            shutil.copyfile(notice, os.path.join(folder, "NOTICE"))
        print(f"{set_name}: {len(chosen)} images -> {folder}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
