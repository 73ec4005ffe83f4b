"""Command line: ``python -m course_lib train <recipe> [options]``.

Examples::

    python -m course_lib train dcgan --data mnist --budget fast          # a couple of minutes on a laptop
    python -m course_lib train dcgan --data mnist --budget full          # on a GPU
    python -m course_lib train wgan-gp --data fashion_mnist --budget full --grid wgan_gp.png
    python -m course_lib train dcgan --budget full --export course_lib/weights/dcgan_mnist.pt
    python -m course_lib train vae --steps 20000 --export course_lib/weights/vae_mnist.pt   # notebook 01's VAE
    python -m course_lib zoo --export course_lib/weights/loss_zoo_ring8.pt   # notebook 05's six losses, three seeds
    python -m course_lib audit submitted/                                # answers worth a look before grading
    python -m course_lib grade-class 03_optimal_discriminator_jsd --workers 2   # autograde submitted/

On several GPUs or machines, launch the same command with torchrun (``course_lib.distributed``)::

    torchrun --nproc_per_node=4 -m course_lib train dcgan --budget full

Training is resumable: run the same command again and it goes on from its checkpoint
(``checkpoints/cli_<recipe>_<data>_<budget>.pt`` unless ``--checkpoint`` says otherwise).
"""
from __future__ import annotations

import argparse
import shlex
import sys

import torch

from course_lib.data import DATASETS
from course_lib.recipes import RECIPES
from course_lib.conditional_training import KINDS as CONDITIONAL_RECIPES

VAE_RECIPES = ("vae",)
# notebook 09 (course_lib.translation_recipes)
TRANSLATION_RECIPES = ("pix2pix", "pix2pix-l1", "pix2pix-gan", "cyclegan", "srresnet", "srgan")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_lib", description="Course command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a GAN recipe (dcgan, wgan, wgan-gp)")
    train.add_argument("recipe", choices=RECIPES + CONDITIONAL_RECIPES + VAE_RECIPES + TRANSLATION_RECIPES,
                       help="dcgan, wgan, wgan-gp, stylegan (MNIST, notebook 07); cgan, acgan, infogan (MNIST, "
                            "notebook 06); vae (notebook 01's VAE; --latent-dim and --width are its latent and "
                            "hidden sizes); pix2pix[-l1|-gan], cyclegan, srresnet, srgan (MNIST, "
                            "notebook 09)")
    train.add_argument("--data", choices=DATASETS, default="mnist")
    train.add_argument("--budget", choices=("fast", "full"), default=None,
                       help="default: $COURSE_BUDGET, else full on a GPU and fast on a CPU")
    train.add_argument("--steps", type=int, default=None, help="generator updates (default: 200 fast, 20000 full)")
    train.add_argument("--batch-size", type=int, default=None, help="per generator step; split over n_critic")
    train.add_argument("--latent-dim", type=int, default=64)
    train.add_argument("--width", type=int, default=None, help="channel width of G and D (default 32 fast, 64 full)")
    train.add_argument("--image-size", type=int, choices=(28, 64), default=None)
    train.add_argument("--seed", type=int, default=None, help="default 0 (vae: 3, as in notebook 01)")
    train.add_argument("--device", choices=("cuda", "mps", "cpu"), default=None)
    train.add_argument("--checkpoint", default=None, help="checkpoint file (resumed if it exists)")
    train.add_argument("--grid", default=None, help="write the last sample grid to this PNG")
    train.add_argument("--export", default=None, help="write the EMA generator (float16) and its JSON record here")
    train.add_argument("--no-progress", action="store_true")
    zoo = sub.add_parser("zoo", help="notebook 05's loss zoo: six GAN losses on the ring of 8 Gaussians, several seeds")
    zoo.add_argument("--steps", type=int, default=6000, help="generator updates per run (default 6000)")
    zoo.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    zoo.add_argument("--device", choices=("cuda", "mps", "cpu"), default=None)
    zoo.add_argument("--export", default=None, help="write every generator and the record (JSON) of the counts here")
    zoo.add_argument("--no-progress", action="store_true")
    audit = sub.add_parser("audit", help="list answer cells that import course_lib, rebind a test helper, "
                                         "patch a module or touch the system")
    audit.add_argument("root", help="a folder of submissions (submitted/) or one notebook")
    grade = sub.add_parser("grade-class", help="autograde a folder of submissions with W workers, a time and a "
                                               "memory limit per submission, every row in the gradebook")
    grade.add_argument("assignment", help="an assignment recorded in gradebook.db (bash scripts/release.sh)")
    grade.add_argument("submissions", nargs="?", default=None,
                       help="<student>/<assignment>/<notebook>.ipynb folders or <student>.ipynb files "
                            "(default: the course's submitted/)")
    grade.add_argument("--course", default=".", help="the course's root (nbgrader_config.py, gradebook.db)")
    grade.add_argument("--workers", type=int, default=2, help="submissions graded at once")
    grade.add_argument("--time-limit", type=float, default=900, help="seconds per submission (wall clock)")
    grade.add_argument("--memory-limit", type=int, default=8192,
                       help="MiB of address space per submission (torch alone maps about 3.5 GB)")
    grade.add_argument("--cell-time-limit", type=int, default=None,
                       help="seconds per cell (default: LimitedExecute.timeout in nbgrader_config.py)")
    grade.add_argument("--report", default=None, help="CSV of the rows (default grade_class_<assignment>.csv)")
    grade.add_argument("--no-progress", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.command == "audit":
        from course_lib.audit import audit, print_report

        print_report(audit(args.root))
        return 0
    if args.command == "grade-class":
        from course_lib.grade_class import grade_class, print_report as print_rows

        print_rows(grade_class(args.assignment, args.submissions, course=args.course, workers=args.workers,
                               time_limit=args.time_limit, memory_limit=args.memory_limit,
                               cell_time_limit=args.cell_time_limit, report=args.report,
                               progress=not args.no_progress))
        return 0
    if args.command == "zoo":
        return _zoo(args, argv)
    if args.seed is None:   # each recipe's own default seed
        args.seed = 3 if args.recipe in VAE_RECIPES else 0
    from course_lib import distributed
    from course_lib.device import get_device

    # Under torchrun: join the process group (course_lib.distributed); rank 0 alone prints and writes.
    context = distributed.init_from_env(args.device)
    device = get_device(args.device)
    if context.distributed and device.type == "cuda":
        device = torch.device("cuda", context.local_rank)
    try:
        return _train(args, argv, device, context)
    finally:
        if context.distributed:
            torch.distributed.destroy_process_group()


def _train(args, argv: list[str], device: torch.device, context) -> int:
    if args.recipe in CONDITIONAL_RECIPES:
        return _train_conditional(args, argv, device, context)
    if args.recipe in TRANSLATION_RECIPES:
        if context.distributed:
            raise SystemExit(f"{args.recipe} trains in one process: run it without torchrun")
        from course_lib.translation_recipes import train_from_command_line

        return train_from_command_line(args, argv, device)
    if args.recipe in VAE_RECIPES:
        return _train_vae(args, argv, device, context)
    from course_lib.recipes import default_config, export_generator, run_recipe
    from course_lib.training import checkpoint_path

    say = print if context.is_main else (lambda *_, **__: None)
    config = default_config(args.recipe, args.data, args.budget, steps=args.steps, batch_size=args.batch_size,
                            latent_dim=args.latent_dim, width=args.width, image_size=args.image_size,
                            seed=args.seed)
    path = args.checkpoint or checkpoint_path(f"cli_{config.recipe}_{config.data}_{config.budget}")
    processes = f", {context.world_size} processes" if context.distributed else ""
    say(f"{config.recipe} on {config.data} ({config.budget} budget, {config.steps} steps, batch "
        f"{config.batch_size}) on {device}{processes}; checkpoint: {path}")
    run, summary = run_recipe(config, device=device, checkpoint_path=path, progress=not args.no_progress)
    if not context.is_main:
        return 0
    say(f"data: {summary['data_source']}")
    if summary["fid"] is not None:
        say(f"FID (MNIST feature network, 2,000 samples of the EMA generator): {summary['fid']:.2f}")
    if args.grid:
        from torchvision.utils import save_image

        last = max(run.samples)
        save_image(run.samples[last], args.grid, nrow=8, padding=2, pad_value=1.0)
        say(f"sample grid of step {last}: {args.grid}")
    if args.export:
        out = export_generator(run, config, summary, args.export,
                               command="python -m course_lib " + shlex.join(argv))
        say(f"generator: {out} and {out.with_suffix('.json')}")
    return 0


def _train_conditional(args, argv: list[str], device: torch.device, context) -> int:
    """cgan, acgan, infogan on MNIST (course_lib.conditional_recipes); one process (no torchrun)."""
    from course_lib.conditional_recipes import default_conditional_config, export_conditional, run_conditional_recipe
    from course_lib.training import checkpoint_path

    if context.distributed:
        raise SystemExit(f"{args.recipe} trains in one process: run it without torchrun")
    if args.data != "mnist" or args.image_size not in (None, 28):
        raise SystemExit(f"{args.recipe} trains on 28x28 MNIST only (--data mnist)")
    config = default_conditional_config(args.recipe, args.budget, steps=args.steps, batch_size=args.batch_size,
                                        # InfoGAN's noise is 62-dimensional unless --latent-dim says otherwise
                                        noise_dim=None if args.recipe == "infogan" and args.latent_dim == 64
                                        else args.latent_dim,
                                        width=args.width, seed=args.seed)
    path = args.checkpoint or checkpoint_path(f"cli_{config.recipe}_mnist_{config.budget}")
    print(f"{config.recipe} on mnist ({config.budget} budget, {config.steps} steps, batch {config.batch_size}) "
          f"on {device}; checkpoint: {path}")
    run, summary = run_conditional_recipe(config, device=device, checkpoint_path=path, progress=not args.no_progress)
    print(f"data: {summary['data_source']}")
    print(f"FID (MNIST feature network, 2,000 samples): {summary['fid']:.2f}")
    for key in ("label_accuracy", "code_to_class_accuracy"):
        if key in summary:
            print(f"{key.replace('_', ' ')}: {summary[key]:.3f}")
    if args.grid:
        from torchvision.utils import save_image

        last = max(run.samples)
        save_image(run.samples[last], args.grid, nrow=10, padding=2, pad_value=1.0)
        print(f"sample grid of step {last}: {args.grid}")
    if args.export:
        out = export_conditional(run, config, summary, args.export, command="python -m course_lib " + shlex.join(argv))
        print(f"generator and discriminator: {out} and {out.with_suffix('.json')}")
    return 0


def _train_vae(args, argv: list[str], device: torch.device, context) -> int:
    """Notebook 01's VAE (course_lib.vae_recipe); one process (no torchrun)."""
    from course_lib.training import checkpoint_path
    from course_lib.vae_recipe import default_vae_config, export_vae, run_vae_recipe

    if context.distributed:
        raise SystemExit("vae trains in one process: run it without torchrun")
    if args.image_size not in (None, 28):
        raise SystemExit("vae trains on 28x28 images only")
    config = default_vae_config(args.data, args.budget, steps=args.steps, batch_size=args.batch_size,
                                latent_dim=None if args.latent_dim == 64 else args.latent_dim,
                                hidden_dim=args.width, seed=args.seed)
    path = args.checkpoint or checkpoint_path(f"cli_vae_{config.data}_{config.budget}")
    print(f"vae on {config.data} ({config.budget} budget, {config.steps} steps, batch {config.batch_size}, "
          f"latent {config.latent_dim}, hidden {config.hidden_dim}) on {device}; checkpoint: {path}")
    model, summary = run_vae_recipe(config, device=device, checkpoint_path=path, progress=not args.no_progress)
    print(f"data: {summary['data_source']}")
    print(f"test negative ELBO (digits binarised at 0.5): {summary['test_negative_elbo']:.2f} nats per image")
    if args.grid:
        from torchvision.utils import save_image

        save_image(model.sample(64, generator=torch.Generator().manual_seed(0)).cpu(), args.grid, nrow=8,
                   padding=2, pad_value=1.0)
        print(f"64 prior samples (Bernoulli means): {args.grid}")
    if args.export:
        out = export_vae(model, config, summary, args.export, command="python -m course_lib " + shlex.join(argv))
        print(f"VAE: {out} and {out.with_suffix('.json')}")
    return 0


def _zoo(args, argv: list[str]) -> int:
    """Notebook 05's loss zoo (course_lib.loss_zoo): every loss, every seed, trained from scratch."""
    from course_lib.device import get_device
    from course_lib.loss_zoo import ZooConfig, export_zoo, run_zoo, modes_lost

    config = ZooConfig(steps=args.steps, seeds=tuple(args.seeds))
    device = get_device(args.device)
    if device.type == "cpu":
        torch.set_num_threads(1)   # as in notebook 05: tiny networks, and the same numbers on every machine
    print(f"loss zoo: {len(config.losses)} losses x seeds {list(config.seeds)}, {config.steps} generator steps "
          f"each, on {device}")
    zoo = run_zoo(config, device=device, progress=not args.no_progress)
    for (name, seed), member in zoo.items():
        print(f"{name:8s} seed {seed}: {member.final.modes_covered}/{config.n_modes} modes, "
              f"{member.final.high_quality_fraction:.0%} high quality, counts {member.coverage} "
              f"(modes lost {modes_lost(member.coverage)})")
    if args.export:
        out = export_zoo(zoo, config, args.export, command="python -m course_lib " + shlex.join(argv))
        print(f"generators: {out}; record: {out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
