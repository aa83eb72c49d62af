/* Engines that restart on one store, from tests/scenario/restarts.scn. */
#include "scenario_check.h"

int main(void)
{
	return scn_run_file("oracle restarts", "restarts.scn", NULL, 0);
}
