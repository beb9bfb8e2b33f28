/*
 * export builds a seccomp filter with libseccomp the way runc does and
 * writes its BPF (struct sock_filter array, host order) to stdout.
 * TestAgainstLibseccomp compares it with the pure-Go compiler. Input, one
 * item per line, numbers in decimal:
 *   default ACTION
 *   arch NAME                 (libseccomp name: x86, x32)
 *   rule ACTION NAME N [INDEX OP VALUE VALUE2]*N
 * ACTION is a SECCOMP_RET_* value, OP a SCMP_CMP_* value. Names libseccomp
 * does not know are skipped and listed on stderr as "unknown NAME".
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	unsigned int def;
	char kw[32];
	scmp_filter_ctx ctx;
	int rc;

	if (scanf(" default %u", &def) != 1)
		return 2;
	ctx = seccomp_init(def);
	if (ctx == NULL)
		return 2;
	while (scanf(" %31s", kw) == 1) {
		if (strcmp(kw, "arch") == 0) {
			char name[32];
			uint32_t arch;

			if (scanf(" %31s", name) != 1)
				return 2;
			arch = seccomp_arch_resolve_name(name);
			if (arch == 0) {
				fprintf(stderr, "unknown arch %s\n", name);
				return 1;
			}
			rc = seccomp_arch_add(ctx, arch);
			if (rc != 0 && rc != -EEXIST) {
				fprintf(stderr, "arch %s: %s\n", name, strerror(-rc));
				return 1;
			}
		} else if (strcmp(kw, "rule") == 0) {
			unsigned int act, n, i;
			char name[64];
			struct scmp_arg_cmp cmp[6];
			int nr;

			if (scanf(" %u %63s %u", &act, name, &n) != 3 || n > 6)
				return 2;
			for (i = 0; i < n; i++) {
				unsigned int idx, op;
				unsigned long long a, b;

				if (scanf(" %u %u %llu %llu", &idx, &op, &a, &b) != 4)
					return 2;
				cmp[i].arg = idx;
				cmp[i].op = op;
				cmp[i].datum_a = a;
				cmp[i].datum_b = b;
			}
			nr = seccomp_syscall_resolve_name(name);
			if (nr == __NR_SCMP_ERROR) {
				/* runc skips names libseccomp does not know */
				fprintf(stderr, "unknown %s\n", name);
				continue;
			}
			rc = seccomp_rule_add_array(ctx, act, nr, n, cmp);
			if (rc != 0) {
				fprintf(stderr, "rule %s: %s\n", name, strerror(-rc));
				return 1;
			}
		} else {
			fprintf(stderr, "unknown keyword %s\n", kw);
			return 2;
		}
	}
	rc = seccomp_export_bpf(ctx, 1);
	if (rc != 0) {
		fprintf(stderr, "export: %s\n", strerror(-rc));
		return 1;
	}
	seccomp_release(ctx);
	return 0;
}
