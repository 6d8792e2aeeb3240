#!/usr/bin/python3
"""Writes the committed seed corpora fuzz/corpus/<target>/: a few small valid files and edge
cases per fuzz target (input layouts in fuzz/fuzz_<target>.cpp). Deterministic; rerun after a
layout change:  /usr/bin/python3 fuzz/make_corpus.py
Needs Debian's python3-h5py for the HDF5 seeds."""
import gzip
import os
import struct

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


def idx_images(count, rows, cols):
    body = bytes((7 * i) % 256 for i in range(count * rows * cols))
    return struct.pack(">IIII", 0x803, count, rows, cols) + body


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def idx_input(classes, images, labels):
    return bytes([classes]) + struct.pack("<I", len(images)) + images + labels


def idx_corpus():
    images, labels = idx_images(3, 2, 2), idx_labels([0, 9, 4])
    write("idx", "valid_raw", idx_input(10, images, labels))
    write("idx", "valid_gzip", idx_input(10, gz(images), gz(labels)))
    write("idx", "valid_28x28_gzip", idx_input(10, gz(idx_images(2, 28, 28)), gz(idx_labels([1, 2]))))
    write("idx", "fer_7_classes", idx_input(7, idx_images(2, 3, 3), idx_labels([6, 0])))
    write("idx", "empty_sets", idx_input(10, idx_images(0, 1, 1), idx_labels([])))
    write("idx", "two_gzip_members", idx_input(10, gz(images[:9]) + gz(images[9:]), labels))
    write("idx", "label_out_of_range", idx_input(10, images, idx_labels([0, 9, 10])))
    write("idx", "truncated_gzip", idx_input(10, gz(images)[:-6], labels))
    write("idx", "wrong_magic", idx_input(10, labels, images))


def cifar_record(label_bytes, seed):
    return bytes(label_bytes) + bytes((seed + 13 * i) % 256 for i in range(3072))


def cifar_corpus():
    write("cifar", "cifar10_one_raw", bytes([0]) + cifar_record([3], 1))
    write("cifar", "cifar10_two_gzip", bytes([0]) + gz(cifar_record([9], 2) + cifar_record([0], 3)))
    write("cifar", "cifar100_fine_gzip", bytes([1]) + gz(cifar_record([19, 99], 4)))
    write("cifar", "cifar100_coarse_gzip", bytes([2]) + gz(cifar_record([19, 42], 5)))
    write("cifar", "cifar10_label_10_gzip", bytes([0]) + gz(cifar_record([10], 6)))
    write("cifar", "cifar10_truncated_gzip", bytes([0]) + gz(cifar_record([1], 7))[:-4])
    write("cifar", "cifar10_short_record", bytes([0]) + cifar_record([1], 8)[:100])


def config_corpus():
    write("config", "empty", b"")
    write("config", "train", b"""[run]
seed = 7
seeds = 2
iterations = 10
output = "results/x.h5"

[task]
dataset = "mnist"
input_dim = 8
hidden = [8, 4]

[optimizer]
name = "adam"
hyperparameters = { learning_rate = 0.01, beta1 = 0.9 }
""")
    write("config", "dotted_and_inline", b"""run.seed = 3
task = { dataset = "cifar100_coarse", l2 = 1e-4 }
[evaluate]
optimizers = ["sgd", "adam"]
architectures = ["48-48", "100-200"]
batch_sizes = [64]
""")
    write("config", "tune_grids", b"""[tune]
learning_rates = [1e-3, 0.1, 1.0]
initial_steps = [+1.5e0, 2_000.0]
optimizers = ['momentum', 'rmsprop']
""")
    write("config", "strings_and_escapes", b"""[run]
output = "r\\u00e9sultats/\\t\\"x\\".h5"
[data]
dir = '''multi
line'''
""")
    write("config", "special_numbers", b"""[optimizer]
hyperparameters = { learning_rate = inf, momentum = nan, nesterov = true, memory = 0x10 }
""")
    write("config", "quoted_table_keys", b"""[optimizer]
hyperparameters = { "learning rate" = 1, "" = 2, 'a.b' = 3, "\\u00e9" = 4 }
""")
    write("config", "unknown_key", b"[optimiser]\nname = \"sgd\"\n")
    write("config", "wrong_type", b"[run]\niterations = \"3\"\n")
    write("config", "duplicate", b"[run]\nseed = 1\nseed = 2\n")
    write("config", "not_utf8", b"[run]\noutput = \"\xff\xfe\"\n")


# Hyperparameters of l2o's hand-designed optimizers as `l2o tune` stores them (/chosen/<name>).
TUNED = {
    "sgd": {"learning_rate": 1.0},
    "momentum": {"learning_rate": 0.316, "momentum": 0.5, "nesterov": 0.0},
    "cg": {"initial_step": 0.1, "shrink": 0.5, "sufficient_decrease": 1e-4, "max_backtracks": 30.0,
           "exact_line_search": 0.0},
    "lbfgs": {"initial_step": 1.0, "shrink": 0.5, "sufficient_decrease": 1e-4,
              "max_backtracks": 30.0, "memory": 10.0, "curvature_epsilon": 1e-8},
    "adam": {"learning_rate": 0.01, "beta1": 0.5, "beta2": 0.999, "epsilon": 1e-8},
    "adagrad": {"learning_rate": 0.1, "epsilon": 1e-10, "initial_accumulator": 0.0},
    "rmsprop": {"learning_rate": 0.003, "alpha": 0.999, "epsilon": 1e-8},
}


def hdf5_seed(name, build, libver="earliest", target="hdf5"):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with h5py.File(os.path.join(directory, name), "w", libver=libver, track_order=False) as f:
        build(f)


def tuned(f, optimizers=TUNED):
    chosen = f.create_group("chosen")
    for optimizer, fields in optimizers.items():
        group = chosen.create_group(optimizer)
        group.attrs["optimizer"] = optimizer
        for field, value in fields.items():
            group.attrs["optimizer." + field] = value
        group.attrs["setting"] = 0


def hdf5_corpus():
    hdf5_seed("tuned_all", tuned)
    hdf5_seed("tuned_missing_adam",
              lambda f: tuned(f, {k: v for k, v in TUNED.items() if k != "adam"}), libver="latest")
    hdf5_seed("tuned_negative_learning_rate",
              lambda f: tuned(f, {**TUNED, "sgd": {"learning_rate": -1.0}}), libver="latest")
    hdf5_seed("no_chosen", lambda f: f.create_group("settings"), libver="latest")

    def datasets(f):
        tuned(f)
        f["doubles"] = [[1.0, 2.0], [3.0, float("nan")]]
        f["integers"] = [1, 2, 3]
        f["string"] = "run.seed = 1"
    hdf5_seed("tuned_and_datasets", datasets, libver="latest")

    # Learned-optimizer models (docs/hdf5-layout.md "/model"): LSTM 2 -> 2 hidden -> 1 output.
    def model(layers, parameters):
        def build(f):
            group = f.create_group("model")
            group.attrs["method"] = "l2l"
            for name, value in (("input_size", 2), ("hidden_size", 2), ("num_layers", layers),
                                ("output_size", 1)):
                group.attrs[name] = np.int64(value)
            group.attrs["preprocess_p"] = 10.0
            group.attrs["output_scale"] = 0.1
            group["parameters"] = [0.01 * (i % 7 - 3) for i in range(parameters)]
        return build
    hdf5_seed("model_one_layer", model(1, 51))
    hdf5_seed("model_two_layers", model(2, 99), libver="latest")
    hdf5_seed("model_wrong_count", model(1, 50), libver="latest")
    hdf5_seed("checkpoint_not_model", lambda f: f.create_group("checkpoint"), libver="latest")

    # Shapes far beyond the stored bytes (read_doubles used to allocate them before reading).
    def huge_model(f):
        model(1, 51)(f)
        del f["model/parameters"]
        f["model"].create_dataset("parameters", shape=(2**61,), dtype="f8", chunks=(1024,))
    hdf5_seed("model_huge_parameters", huge_model, libver="latest")
    hdf5_seed("doubles_8TB_unstored",
              lambda f: f.create_dataset("doubles", shape=(2**40,), dtype="f8", chunks=(1024,)),
              libver="latest")
    hdf5_seed("integers_shape_overflow",
              lambda f: f.create_dataset("integers", shape=(2**33, 2**33), dtype="i8", chunks=(1, 1)),
              libver="latest")


# Users' data files (docs/data.md, task.dataset = "h5:<file>"): valid ones of each image type and
# rank, and the mistakes the reader names.
def user_data(images, labels, test=None):
    def build(f):
        f["train/images"] = images
        f["train/labels"] = labels
        if test is not None:
            f["test/images"], f["test/labels"] = test
    return build


def user_data_seed(name, build, libver="earliest"):
    hdf5_seed(name, build, libver, target="user_data")


def user_data_corpus():
    pixels = (np.arange(6 * 4 * 4) * 7 % 256).astype(np.uint8).reshape(6, 4, 4)
    labels = np.array([0, 1, 2, 0, 1, 2], dtype=np.int64)
    user_data_seed("data_uint8_with_test", user_data(pixels, labels, (pixels[:2], labels[:2])))
    user_data_seed("data_float_rows", user_data(np.linspace(-1, 1, 30).reshape(6, 5).astype(np.float32),
                                           labels.astype(np.int32)), libver="latest")
    user_data_seed("data_float64_color", user_data(np.ones((4, 2, 2, 3)), np.array([1, 0, 1, 0], np.uint8)),
              libver="latest")
    user_data_seed("data_label_gap", user_data(pixels, labels + 1), libver="latest")
    user_data_seed("data_test_shape_mismatch",
              user_data(pixels, labels, (pixels[:2].reshape(2, 16), labels[:2])), libver="latest")
    user_data_seed("data_float_labels", user_data(pixels, labels.astype(np.float64)), libver="latest")
    user_data_seed("data_huge_unstored", lambda f: (
        f.create_dataset("train/images", shape=(2**40, 2), dtype="u1", chunks=(1024, 2)),
        f.create_dataset("train/labels", shape=(2**40,), dtype="i8", chunks=(1024,))),
              libver="latest")


# Meta-training checkpoints (src/l2l/l2l_checkpoint_file.hpp, src/gps/files/gps_checkpoint_file.hpp)
# and GPS models (src/gps/files/gps_model_file.hpp) in l2o's layout, of the dimensions
# fuzz_checkpoint reads them with: an L2L LSTM 2 -> 2 hidden -> 1 output (51 parameters), GPS
# horizon 2 with 2 groups (the state has 76 features, so the 76 x 77 matrices of a time step
# dominate; they are gzip-compressed to keep the seeds small). Real checkpoints are far larger, too
# slow to fuzz: the tiny L2L run's (tests/app, 5,301 parameters) is 181 KB, the tiny GPS run's
# (T = 40) 23 MB.
L2L_PARAMETERS = 51
GPS_HORIZON = 2
GPS_GROUPS = 2
GPS_STATE = 76
GPS_POLICY_PARAMETERS = 59  # LSTM 3 observations -> 2 hidden -> 1 output

TINY_CONFIG = b"""[run]
seed = 7
[task]
input_dim = 16
hidden = [8]
[meta_train]
method = "%s"
"""


def values(count, scale=0.01):
    return np.array([scale * ((i * 7) % 11 - 5) for i in range(count)])


def provenance(f, method):
    f.create_group("meta")["config"] = (TINY_CONFIG % method.encode()).decode()


def l2l_checkpoint(f, hidden_size=2, drop=None):
    provenance(f, "l2l")
    group = f.create_group("checkpoint")
    group.attrs["method"] = "l2l"
    for name, value in (("input_size", 2), ("hidden_size", hidden_size), ("num_layers", 1),
                        ("output_size", 1), ("episodes_done", 4), ("adam_iteration", 2)):
        group.attrs[name] = np.int64(value)
    group.attrs["best_validation_loss"] = 0.25
    for name in ("parameters", "adam_first_moment", "best_parameters"):
        group[name] = values(L2L_PARAMETERS)
    group["adam_second_moment"] = np.abs(values(L2L_PARAMETERS, 1e-4))
    group["validation_losses"] = [0.5, 0.25, 0.3]
    group["episode_meta_losses"] = [1.0, 0.9, 0.8, 0.85]
    if drop:
        del group[drop]


def big(group, name, shape, fill=0.0):
    group.create_dataset(name, data=np.full(shape, fill), compression="gzip", compression_opts=9)


def linear_gaussian(parent, name):
    group = parent.create_group(name)
    group["gain"] = np.zeros((2, GPS_STATE))
    group["bias"] = [0.1, -0.1]
    group["variance"] = [0.01, 0.02]


def gps_policy(group, weights_type="f8", adam=True):
    group["weights"] = values(GPS_POLICY_PARAMETERS, 0.1).astype(weights_type)
    group["observation_scale"] = [1.0, 2.0, 0.5]
    group["observation_offset"] = [0.0, 0.1, -0.1]
    group.attrs["hidden_size"] = np.int64(2)
    group.attrs["action_scale"] = 0.05
    if adam:
        group["adam_first_moment"] = values(GPS_POLICY_PARAMETERS, 1e-3)
        group["adam_second_moment"] = np.abs(values(GPS_POLICY_PARAMETERS, 1e-5))
        group.attrs["adam_step"] = np.int64(10)


def gps_checkpoint(f, policies=GPS_GROUPS):
    provenance(f, "gps")
    top = f.create_group("checkpoint")
    top.attrs["method"] = "gps"
    for name, value in (("seed", 11), ("iteration", 1), ("best_iteration", 0),
                        ("group_count", GPS_GROUPS)):
        top.attrs[name] = np.int64(value)
    for name, value in (("initial_alpha", 0.3), ("initial_beta", 0.5), ("best_score", 1.5)):
        top.attrs[name] = value
    n, horizon = GPS_STATE, GPS_HORIZON
    for g in range(GPS_GROUPS):
        group = top.create_group("group_%d" % g)
        for name, value in (("eta", 1.0), ("step_multiplier", 1.0), ("cost_normaliser", 2.0),
                            ("action_scale", 0.05)):
            group.attrs[name] = value
        group["state_scale"] = np.ones(n)
        group["lambda"] = np.zeros(horizon)
        group["nu"] = np.full(horizon, 0.1)
        for name in ("sampling_policy", "previous_sampling_policy", "previous_linearisation"):
            linear_gaussian(group, name)
        dynamics = group.create_group("previous_dynamics")
        big(dynamics, "transition", (horizon - 1, n, n + 1))
        dynamics["offset"] = np.zeros((horizon - 1, n))
        big(dynamics, "noise_cov", (horizon - 1, n, n), 0.01)
        dynamics["initial_mean"] = np.zeros(n)
        big(dynamics, "initial_cov", (n, n), 0.01)
        cost = group.create_group("previous_cost")
        big(cost, "hessian", (horizon, n + 1, n + 1))
        cost["gradient"] = np.zeros((horizon, n + 1))
        if g < policies:
            gps_policy(group.create_group("policy"))


def gps_model(f):
    provenance(f, "gps")
    model = f.create_group("model")
    model.attrs["method"] = "psd"
    model.attrs["group_count"] = np.int64(GPS_GROUPS)
    model.attrs["features"] = "paper"
    for g in range(GPS_GROUPS):
        group = model.create_group("group_%d" % g)
        group.attrs["role"] = "layer1.weights" if g == 0 else "layer%d" % g
        gps_policy(group, "f4", adam=False)


def checkpoint_seed(name, build, libver="latest"):
    directory = os.path.join(HERE, "corpus", "checkpoint")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with h5py.File(path, "w", libver=libver, track_order=False) as f:
        build(f)
    return path


def checkpoint_corpus():
    checkpoint_seed("l2l_checkpoint", l2l_checkpoint, libver="earliest")
    checkpoint_seed("l2l_missing_adam_second_moment",
                    lambda f: l2l_checkpoint(f, drop="adam_second_moment"))
    checkpoint_seed("l2l_other_hidden_size", lambda f: l2l_checkpoint(f, hidden_size=3))
    gps = checkpoint_seed("gps_checkpoint", gps_checkpoint)
    checkpoint_seed("gps_policy_in_one_group", lambda f: gps_checkpoint(f, policies=1))
    checkpoint_seed("gps_model", gps_model)
    with open(gps, "rb") as f:
        whole = f.read()
    write("checkpoint", "gps_checkpoint_truncated", whole[:len(whole) // 2])
    write("checkpoint", "not_hdf5", TINY_CONFIG % b"gps")


if __name__ == "__main__":
    idx_corpus()
    cifar_corpus()
    config_corpus()
    hdf5_corpus()
    user_data_corpus()
    checkpoint_corpus()
