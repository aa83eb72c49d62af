/* Trace schemas 1 and 2 side by side: tests/scenario/schemas.scn. */
#include "scenario_check.h"

int main(void)
{
	return scn_run_file("oracle schemas", "schemas.scn", NULL, 0);
}
