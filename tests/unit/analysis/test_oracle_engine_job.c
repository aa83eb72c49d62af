/* A realistic job, one violation each: tests/scenario/engine_job.scn. */
#include "scenario_check.h"

int main(void)
{
	return scn_run_file("oracle engine job", "engine_job.scn", NULL, 0);
}
