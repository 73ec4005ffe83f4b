"""Command line: ``python -m course_lib train <recipe> [options]``.

Examples::

    python -m course_lib train dcgan --data mnist --budget fast          # a couple of minutes on a laptop
    python -m course_lib train dcgan --data mnist --budget full          # on a GPU
    python -m course_lib train wgan-gp --data fashion_mnist --budget full --grid wgan_gp.png
    python -m course_lib train dcgan --budget full --export course_lib/weights/dcgan_mnist.pt
    python -m course_lib audit submitted/                                # answers worth a look before grading

Training is resumable: run the same command again and it goes on from its checkpoint
(``checkpoints/cli_<recipe>_<data>_<budget>.pt`` unless ``--checkpoint`` says otherwise).
"""
from __future__ import annotations

import argparse
import shlex
import sys

from course_lib.data import DATASETS
from course_lib.recipes import RECIPES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_lib", description="Course command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a GAN recipe (dcgan, wgan, wgan-gp)")
    train.add_argument("recipe", choices=RECIPES)
    train.add_argument("--data", choices=DATASETS, default="mnist")
    train.add_argument("--budget", choices=("fast", "full"), default=None,
                       help="default: $COURSE_BUDGET, else full on a GPU and fast on a CPU")
    train.add_argument("--steps", type=int, default=None, help="generator updates (default: 200 fast, 20000 full)")
    train.add_argument("--batch-size", type=int, default=None, help="per generator step; split over n_critic")
    train.add_argument("--latent-dim", type=int, default=64)
    train.add_argument("--width", type=int, default=None, help="channel width of G and D (default 32 fast, 64 full)")
    train.add_argument("--image-size", type=int, choices=(28, 64), default=None)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", choices=("cuda", "mps", "cpu"), default=None)
    train.add_argument("--checkpoint", default=None, help="checkpoint file (resumed if it exists)")
    train.add_argument("--grid", default=None, help="write the last sample grid to this PNG")
    train.add_argument("--export", default=None, help="write the EMA generator (float16) and its JSON record here")
    train.add_argument("--no-progress", action="store_true")
    audit = sub.add_parser("audit", help="list answer cells that import course_lib, rebind a test helper, "
                                         "patch a module or touch the system")
    audit.add_argument("root", help="a folder of submissions (submitted/) or one notebook")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.command == "audit":
        from course_lib.audit import audit, print_report

        print_report(audit(args.root))
        return 0
    from course_lib.device import get_device
    from course_lib.recipes import default_config, export_generator, run_recipe
    from course_lib.training import checkpoint_path

    device = get_device(args.device)
    config = default_config(args.recipe, args.data, args.budget, steps=args.steps, batch_size=args.batch_size,
                            latent_dim=args.latent_dim, width=args.width, image_size=args.image_size,
                            seed=args.seed)
    path = args.checkpoint or checkpoint_path(f"cli_{config.recipe}_{config.data}_{config.budget}")
    print(f"{config.recipe} on {config.data} ({config.budget} budget, {config.steps} steps, batch "
          f"{config.batch_size}) on {device}; checkpoint: {path}")
    run, summary = run_recipe(config, device=device, checkpoint_path=path, progress=not args.no_progress)
    print(f"data: {summary['data_source']}")
    if summary["fid"] is not None:
        print(f"FID (MNIST feature network, 2,000 samples of the EMA generator): {summary['fid']:.2f}")
    if args.grid:
        from torchvision.utils import save_image

        last = max(run.samples)
        save_image(run.samples[last], args.grid, nrow=8, padding=2, pad_value=1.0)
        print(f"sample grid of step {last}: {args.grid}")
    if args.export:
        out = export_generator(run, config, summary, args.export,
                               command="python -m course_lib " + shlex.join(argv))
        print(f"generator: {out} and {out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
