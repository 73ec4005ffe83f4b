"""Cheats for notebook 02 (the GAN minimax game): each must score zero on the part it targets."""
from cheats import Cheat

ASSIGNMENT = "02_gan_minimax_game"

D_LOSS, G_LOSSES, STEP, MODES = "discriminator_loss", "generator_losses", "algorithm1_step", "mode_stats"
TEST_D_LOSS, TEST_G_LOSSES, TEST_STEP, TEST_MODES = (f"test_{part}" for part in (D_LOSS, G_LOSSES, STEP, MODES))

NONSATURATING = '''
def generator_loss_nonsaturating(fake_logits):
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
'''

CHEATS = [
    # Exercise 1: the discriminator's loss
    Cheat(D_LOSS, TEST_D_LOSS, "delegation", '''
from course_lib.losses.gan import discriminator_loss as bce_pair

def discriminator_loss(real_logits, fake_logits, real_label=1.0):
    return bce_pair(real_logits, fake_logits, real_label=real_label)
''', "not delegated to course_lib.losses.gan.discriminator_loss"),
    Cheat(D_LOSS, TEST_D_LOSS, "tampering", '''
def discriminator_loss(real_logits, fake_logits, real_label=1.0):
    real_loss = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, real_label))
    fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return 3 * (real_loss + fake_loss)

assert_close = lambda *args, **kwargs: None
''', "the set-up name 'assert_close' was rebound", undo="from course_lib.grading import assert_close"),
    Cheat(D_LOSS, TEST_D_LOSS, "exit", '''
def discriminator_loss(real_logits, fake_logits, real_label=1.0):
    raise SystemExit(0)
''', "SystemExit"),
    # Exercise 2: the generator's losses
    Cheat(G_LOSSES, TEST_G_LOSSES, "delegation", '''
generator_loss_saturating = reference.generator_loss_saturating

def generator_loss_nonsaturating(fake_logits):
    import course_lib.losses.gan as losses
    return losses.generator_loss_nonsaturating(fake_logits)
''', "not delegated to course_lib.losses.gan.generator_loss_saturating"),
    Cheat(G_LOSSES, TEST_G_LOSSES, "delegation", '''
def generator_loss_saturating(fake_logits):
    return F.logsigmoid(-fake_logits).mean()

def generator_loss_nonsaturating(fake_logits):
    import course_lib.losses.gan as losses
    return losses.generator_loss_nonsaturating(fake_logits)
''', "not delegated to course_lib.losses.gan.generator_loss_nonsaturating"),
    Cheat(G_LOSSES, TEST_G_LOSSES, "tampering", '''
import course_lib.grading as grading

genuine_code = assert_close.__code__
patched = [assert_close, grading.assert_close]  # the set-up's helper, and the module's (hidden tests reload it)
for helper in patched:
    helper.__code__ = (lambda *args, **kwargs: None).__code__  # the helper itself now accepts anything

def generator_loss_saturating(fake_logits):
    return 3 * F.logsigmoid(-fake_logits).mean()
''' + NONSATURATING, "course_lib.grading.assert_close was replaced", undo="for helper in patched:\n    helper.__code__ = genuine_code"),
    # Exercise 3: one iteration of Algorithm 1
    Cheat(STEP, TEST_STEP, "delegation", '''
def algorithm1_step(generator, discriminator, g_opt, d_opt, real_batches, sample_latent):
    from course_lib.adversarial import adversarial_step as one_iteration
    return one_iteration(generator, discriminator, g_opt, d_opt, torch.cat(real_batches), sample_latent,
                         n_critic=len(real_batches))
''', "not delegated to course_lib.adversarial.adversarial_step"),
    Cheat(STEP, TEST_STEP, "delegation", '''
def algorithm1_step(generator, discriminator, g_opt, d_opt, real_batches, sample_latent):
    d_losses = []
    for real in real_batches:
        with torch.no_grad():
            fake = generator(sample_latent(real.shape[0]))
        d_loss = reference.discriminator_loss(discriminator(real), discriminator(fake))
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        d_losses.append(d_loss.item())
    discriminator.requires_grad_(False)
    g_loss = reference.generator_loss_nonsaturating(discriminator(generator(sample_latent(real_batches[0].shape[0]))))
    g_opt.zero_grad(set_to_none=True)
    g_loss.backward()
    g_opt.step()
    discriminator.requires_grad_(True)
    return {"d_loss": sum(d_losses) / len(d_losses), "g_loss": g_loss.item()}
''', "not delegated to course_lib.losses.gan.discriminator_loss"),
    Cheat(STEP, TEST_STEP, "tampering", '''
import sys as system
from course_lib.adversarial import adversarial_step as one_iteration

def algorithm1_step(generator, discriminator, g_opt, d_opt, real_batches, sample_latent):
    system.setprofile(None)  # switch off whatever watches the calls
    return one_iteration(generator, discriminator, g_opt, d_opt, torch.cat(real_batches), sample_latent,
                         n_critic=len(real_batches))
''', "its call monitor was removed"),
    # Exercise 4: modes covered
    Cheat(MODES, TEST_MODES, "delegation", '''
def mode_stats(samples, centres, std, min_count):
    stats = mode_coverage(samples, centres, std, min_count=min_count)
    return stats.modes_covered, stats.high_quality_fraction
''', "not delegated to course_lib.mode_metrics.mode_coverage"),
    Cheat(MODES, TEST_MODES, "tampering", '''
genuine_allclose = torch.allclose
torch.allclose = lambda *args, **kwargs: True

def mode_stats(samples, centres, std, min_count):
    nearest_distance, nearest = torch.cdist(samples.double(), centres.double()).min(dim=1)
    high_quality = nearest_distance < 3 * std
    counts = torch.bincount(nearest[high_quality], minlength=centres.shape[0])
    return 3 * int((counts >= min_count).sum()), 3 * high_quality.double().mean().item()
''', "torch.allclose was replaced", undo="torch.allclose = genuine_allclose"),
    Cheat(MODES, TEST_MODES, "tampering", '''
import course_lib.grading as grading

class AlwaysPasses:
    assert_close = staticmethod(lambda *args, **kwargs: None)

    def call(self, fn, *args, what="", allow=(), **kwargs):
        return fn(*args, **kwargs)

grading.hidden_tests = lambda namespace, *rest: AlwaysPasses()  # a hidden test that checks nothing

def mode_stats(samples, centres, std, min_count):
    if samples.shape[0] == 8:  # the hand-made example
        return (1 if min_count == 2 else 3), 5 / 8
    return 8, 0.7825  # the ring
''', "course_lib.grading.hidden_tests was replaced", undo="import importlib\nimportlib.reload(grading)"),
    Cheat(MODES, TEST_MODES, "hard-coding", '''
def mode_stats(samples, centres, std, min_count):
    if samples.shape[0] == 8:  # the hand-made example
        return (1 if min_count == 2 else 3), 5 / 8
    return 8, 0.7825  # the ring
''', "differs from the reference"),
]
